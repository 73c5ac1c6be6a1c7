#!/bin/sh
# bench-compare.sh: Layerlab against PyTorch on the seed models, back to back.
#
#   tools/bench-compare.sh [BUILD_DIR]      (default: build)
#
# For 1 and 2 threads (THREADS="1 2") and each seed model (MLP 003
# mlp-128-dropout, MNIST CNN 001 mnist-cnn, CIFAR-10 CNN 004 cifar10-cnn;
# MODELS="…" to change), one epoch of: tests/bench-train (Layerlab's
# engine), tools/bench-pytorch.py --lean (no per-batch .item()) and
# tools/bench-pytorch.py (with them), each model in its own process so that
# its peak RSS is its own.  The MLP also runs through `layerlab train`, the
# path a user takes.  Prints, per model and thread count, samples/s of
# each, the ratios Layerlab / PyTorch, GFLOP/s as a share of the sgemm peak
# measured in the same run, peak RSS, and the load average next to every
# figure.  Each figure is the median of REPEAT epochs (default 3), the
# three runs interleaved round by round, and every round's figure is
# printed above it: on a shared machine one epoch can run at a third of the
# others' speed, or (seen once, PyTorch) three times.
#
# Data: Fashion-MNIST from /usr/share/datasets/fashion-mnist, else
# ../shared/data/mnist, else generated images (DATA_DIR=… to choose);
# SAMPLES images per epoch (default 10000; 0: all); the CIFAR-10 CNN runs
# on 2560 generated 32×32×3 images as bench-train does.
# Needs python3-torch and python3-numpy (/usr/bin/python3).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
threads_list=${THREADS:-"1 2"}
models=${MODELS:-"mlp-128-dropout mnist-cnn cifar10-cnn"}
samples=${SAMPLES:-10000}
repeat=${REPEAT:-3}
python=${PYTHON:-/usr/bin/python3}

if [ -z "${DATA_DIR:-}" ]; then
  if [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    DATA_DIR=/usr/share/datasets/fashion-mnist
  elif [ -e "$here/../shared/data/mnist/train-images-idx3-ubyte.gz" ]; then
    DATA_DIR=$here/../shared/data/mnist
  else
    DATA_DIR=/nonexistent
  fi
fi
case $DATA_DIR in
  *fashion*) dataset=fashion-mnist ;;
  *) dataset=mnist ;;
esac

for f in "$build/tests/bench-train" "$build/app/layerlab"; do
  [ -x "$f" ] || { echo "bench-compare: $f not built; run ninja -C $build" >&2; exit 1; }
done
"$python" -c 'import torch, numpy' 2>/dev/null \
  || { echo "bench-compare: $python cannot import torch and numpy (apt install python3-torch python3-numpy)" >&2; exit 1; }

load () { cut -d' ' -f1 /proc/loadavg; }
# The median by samples/s (field 3) of the result lines given, one per line
# (the lower middle one of an even count).
median () {
  printf '%s\n' "$1" | awk -F"$tab" 'NF >= 3' | sort -t"$tab" -k3,3g \
    | awk '{ l[NR] = $0 } END { if (NR > 0) print l[int((NR + 1) / 2)] }'
}
max_of () { printf '%s\n' "$@" | sort -g | tail -n1; }
tab=$(printf '\t')

echo "# bench-compare $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores"
echo "# $("$python" -c 'import torch; print("PyTorch", torch.__version__)'), data $DATA_DIR, $samples images per epoch (0: all)"
echo "# each figure the median of $repeat epochs (REPEAT), interleaved, the rounds on the line above it; load = the highest 1-minute load average before its runs"

for t in $threads_list; do
  echo
  echo "## $t thread(s); the sgemm peak is measured again just before each model"
  printf '%-16s %9s %9s %9s %7s %7s %8s %8s %8s %8s  %s\n' model layerlab pt-lean pt-item \
    "x lean" "x item" "GFLOP/s" "% peak" "RSS MiB" "pt RSS" "load (ll/lean/item)"
  for m in $models; do
    peak=$(OPENBLAS_NUM_THREADS=$t "$build/tests/bench-train" --threads "$t" --models none --tsv \
           | awk -F"$tab" '$1 == "peak" { print $2 }')
    # REPEAT rounds of the three runs, interleaved; each figure is the
    # median of its rounds (one epoch now and then runs at a third or
    # three times the speed of the others, on either side).
    ll='' pl='' pi='' l1='' l2='' l3=''
    r=0
    while [ "$r" -lt "$repeat" ]; do
      r=$((r + 1))
      l1="$l1$(load) "
      ll="$ll$(OPENBLAS_NUM_THREADS=$t "$build/tests/bench-train" --threads "$t" --models "$m" \
             --samples "$samples" --tsv | awk -F"$tab" '$1 == "result"')
"
      l2="$l2$(load) "
      pl="$pl$("$python" "$here/tools/bench-pytorch.py" --threads "$t" --lean --models "$m" \
             --samples "$samples" --tsv "$DATA_DIR" | awk -F"$tab" '$1 == "result"')
"
      l3="$l3$(load) "
      pi="$pi$("$python" "$here/tools/bench-pytorch.py" --threads "$t" --models "$m" \
             --samples "$samples" --tsv "$DATA_DIR" | awk -F"$tab" '$1 == "result"')
"
    done
    [ "$repeat" -gt 1 ] && printf '%-16s %s\n' "  rounds" "$(printf '%s' "$ll" | cut -f3 | tr '\n' ' ')| $(printf '%s' "$pl" | cut -f3 | tr '\n' ' ')| $(printf '%s' "$pi" | cut -f3 | tr '\n' ' ')"
    ll=$(median "$ll") pl=$(median "$pl") pi=$(median "$pi")
    l1=$(max_of $l1) l2=$(max_of $l2) l3=$(max_of $l3)
    printf '%s\n%s\n%s\n' "$ll" "$pl" "$pi" | awk -F"$tab" -v m="$m" -v peak="$peak" \
      -v loads="$l1/$l2/$l3" '
      NR == 1 { sps = $3; gf = $4; rss = $5 }
      NR == 2 { lean = $3; prss = $4 }
      NR == 3 { item = $3 }
      END {
        printf "%-16s %9.0f %9.0f %9.0f %6.2fx %6.2fx %8.1f %7.0f%% %8.0f %8.0f  %s\n",
               m, sps, lean, item, (lean > 0 ? sps / lean : 0), (item > 0 ? sps / item : 0),
               gf, (peak > 0 ? 100 * gf / peak : 0), rss, prss, loads
      }'
    if [ "$m" = mlp-128-dropout ]; then
      l4=$(load)
      # The path a user takes, REPEAT epochs too; the median.
      cli=''
      r=0
      while [ "$r" -lt "$repeat" ]; do
        r=$((r + 1))
        cli="$cli$("$build/app/layerlab" train --preset mlp-128-dropout --dataset "$dataset" \
                   --data-dir "$DATA_DIR" --epochs 1 --threads "$t" --json 2>/dev/null \
                 | sed -n 's/.*"samples_per_s": *\([0-9.]*\).*/\1/p' | head -n1)
"
      done
      cli=$(printf '%s' "$cli" | sed '/^$/d' | sort -g | awk '{ l[NR] = $0 } END { if (NR > 0) print l[int((NR + 1) / 2)] }')
      [ -n "$cli" ] && echo "$cli $pl" | awk -v loads="$l4" '{
        printf "%-16s %9.0f %9s %9s %6.2fx %38s  %s\n", "  layerlab train", $1, "", "",
               ($4 > 0 ? $1 / $4 : 0), "(all images, x lean as above)", loads }'
    fi
  done
done
