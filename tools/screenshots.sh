#!/usr/bin/env bash
# Regenerates the README screenshots docs/screenshots/VIEW.png with the
# application's own --screenshot option under Xvfb.
#
#   tools/screenshots.sh [BUILD_DIR]       (default: build)
#
# Demo content where the app has it: LL_DRAW_DEMO=1 pre-draws a digit in
# the Draw view, LL_OPTIMIZER_DEMO=60 runs the optimizer race 60 steps,
# LL_PLAYGROUND_DEMO=ID opens the Playground on another demonstration (it
# trains 10,000 steps before the shot), the
# Inspect view shows the shipped digit model.  Two more shots of the
# Inspect view's Arithmetic page: explain.png (LL_INSPECT_PAGE=arithmetic,
# LL_EXPLAIN_UNIT=LAYER:Y,X,C chooses the unit, LL_EXPLAIN_DEMO=N slides
# the window N steps) and sandbox.png (LL_INSPECT_PAGE=sandbox); lesson.png
# is the lesson panel on tutorial 001's first step (--lesson).  The shared MNIST
# (../shared/data, or $LL_SHARED_DATA) fills the Inspect and Data views
# when present.  PNGs are recompressed
# with optipng or pngcrush when one is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

build="${1:-build}"
exe="$build/app/layerlab"
out=docs/screenshots
size="${LL_SCREENSHOT_SIZE:-1400x900}"
views=(model train inspect optimizers draw data playground)

if [ ! -x "$exe" ]; then
  echo "error: $exe not found: build first (tools/setup.sh $build)" >&2
  exit 1
fi
command -v xvfb-run >/dev/null || { echo "error: xvfb-run missing: apt-get install xvfb xauth" >&2; exit 1; }

data="${LL_SHARED_DATA:-$(cd .. && pwd)/shared/data}"
envs=(LL_DRAW_DEMO=1 LL_OPTIMIZER_DEMO=60 GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1)
if [ -d "$data/mnist" ]; then
  envs+=(LL_SHARED_DATA="$data" LAYERLAB_DATA_DIR="$data")
else
  echo "note: no MNIST in $data: the Inspect and Data views show their empty state" >&2
fi

mkdir -p "$out"
# shot NAME VIEW [VAR=VALUE...]: docs/screenshots/NAME.png of VIEW.
shot() {
  local name="$1" v="$2"
  shift 2
  # The light style whatever the desktop says: the README has a white page.
  env "${envs[@]}" "$@" ADW_DEBUG_COLOR_SCHEME=prefer-light \
    xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$exe" --screenshot "$v" "$out/$name.png" --size "$size" ${shot_args:-} \
    $( [ "$v" = inspect ] && echo --model resources/models/digits.llmodel ) \
    $( [ "$name" = lesson ] && echo --lesson tutorial-001 ) >/dev/null 2>"$out/.$name.log" \
    || { echo "error: screenshot of $name failed:" >&2; cat "$out/.$name.log" >&2; exit 1; }
  rm -f "$out/.$name.log"
  if command -v optipng >/dev/null; then
    optipng -quiet -o2 "$out/$name.png"
  elif command -v pngcrush >/dev/null; then
    pngcrush -q -ow "$out/$name.png"
  fi
  echo "$out/$name.png $(( $(stat -c %s "$out/$name.png") / 1024 )) KB"
}

for v in "${views[@]}"; do
  shot "$v" "$v"
done
shot explain inspect LL_INSPECT_PAGE=arithmetic LL_EXPLAIN_UNIT=1:9,17,4 LL_EXPLAIN_DEMO=200
shot sandbox inspect LL_INSPECT_PAGE=sandbox LL_EXPLAIN_DEMO=20
# The Korean translation (po/ko.po): the Train view and the Arithmetic page.
shot ko-train train LANGUAGE=ko
shot ko-explain inspect LANGUAGE=ko LL_INSPECT_PAGE=arithmetic LL_EXPLAIN_UNIT=1:9,17,4 LL_EXPLAIN_DEMO=200
shot lesson model

# Presentation mode on a 1280×720 projector: the README's classroom shots.
size=1280x720
shot_args=--presentation
shot train-presentation train
shot draw-presentation draw
