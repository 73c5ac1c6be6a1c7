#!/usr/bin/env bash
# Long fuzzing runs of the loaders (tests/fuzz/README.md).
#   tools/fuzz.sh [SECONDS] [TARGET...]
# SECONDS per target (default 600); TARGET: model-file, arch-json, ... (all
# when none).  Builds build-fuzz with clang, libFuzzer, ASan and UBSan;
# new inputs go to build-fuzz/fuzz-corpus/TARGET (kept between runs, so a
# second run continues), findings to build-fuzz/fuzz-artifacts/.  Copy an
# input worth keeping as a seed into tests/fuzz/corpus/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
CC=clang tools/setup.sh --test build-fuzz -Dfuzz=true -Dui=false \
  -Db_sanitize=address,undefined -Db_lundef=false
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz-*.c; do
    t=$(basename "$f" .c)
    targets+=("${t#fuzz-}")
  done
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export OPENBLAS_NUM_THREADS=1
status=0
for t in "${targets[@]}"; do
  extra=()
  case "$t" in
    import-keras-*) extra=(-detect_leaks=0) ;;   # libhdf5's own leaks (README.md)
  esac
  mkdir -p "build-fuzz/fuzz-corpus/$t" build-fuzz/fuzz-artifacts
  echo "== fuzz-$t for $seconds s"
  "build-fuzz/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -error_exitcode=1 -timeout_exitcode=1 \
    -artifact_prefix="build-fuzz/fuzz-artifacts/fuzz-$t-" "${extra[@]}" \
    "build-fuzz/fuzz-corpus/$t" "tests/fuzz/corpus/$t" || status=1
done
exit $status
