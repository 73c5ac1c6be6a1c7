#!/usr/bin/env bash
# Trains the digit model Layerlab ships (resources/models/digits.llmodel,
# compiled into the GResource as models/digits.llmodel) with Layerlab's own
# engine.  The recipe:
#   - architecture tools/digits-model.json: Conv2D 16 5×5 relu, max-pool 2,
#     Conv2D 32 5×5 relu, max-pool 2, Flatten, Dense 64 relu, Dropout 0.3,
#     Dense 10 softmax (46,730 parameters; the file with its Adam state is
#     about 0.75 MB, where the mnist-cnn preset's would be 3.6 MB);
#   - the 10,000 real MNIST training digits of ../shared/data/mnist (or any
#     folder with MNIST's files under their official names: DATA_DIR);
#   - augmentation (--augment digits, engine/ll-augment.c): every training
#     batch distorted at random, drawn from the seed: 15 % kept as they
#     are; the others turned ±15°, slanted ±0.3, stretched ±20 % in
#     aspect, bent by an elastic field (Simard et al. 2003, alpha 30,
#     sigma 4.5), strokes redrawn 1.2–4.5 pixels wide, edges sharpened by
#     a contrast cut; 75 % of those fitted again as the Draw view fits a
#     drawing (box 20×20, centre of mass in the middle), the rest zoomed
#     ±15 % and shifted ±2 pixels;
#   - Adam (Keras defaults), batch 32: 30 epochs at lr 0.001, then 5 at
#     0.0001; seed 1, one OpenBLAS thread so that the run is reproducible.
#
# Measured, the model shipped before (the same network, 12 epochs without
# augmentation) → this one:
#   official MNIST test set (10,000 digits)                 98.43 % → 99.21 %
#   digits drawn on the pad, typical (1,000: the pad's
#     brushes 0.08–0.10, 50–80 % of the pad high, ±10°)     99.30 % → 99.10 %
#   digits drawn on the pad, varied (1,000: brushes
#     0.03–0.15, 30–90 % high, ±25°)                        94.00 % → 97.50 %
#   digits typeset in 25 font faces (4,500: two sizes,
#     three tilts, thinned / as designed / thickened,
#     either polarity, read as opened pictures)            93.64 % → 94.58 %
#       thinned 88.9 → 89.0, as designed 98.5 → 98.4, thickened 93.5 → 96.3;
#       tilted right 90.7 → 93.9; light on dark 93.9 → 94.8, dark on light
#       93.4 → 94.4
# The first stage alone gives 99.11 % on the MNIST test set.  What stays
# wrong: 1s with a flag read as 7 (9 % of the drawn 1s), typeset 1s with a
# foot, 6s and 9s whose fonts close the loop differently from handwriting,
# hairline faces (DejaVu Sans ExtraLight 85.6 %): shapes MNIST's 10,000
# digits do not show, which no distortion of them makes.
# The drawn and typeset digits come from tests/ll-test-digits.c; the test
# that measures them (and holds the shipped model above a floor):
#   meson test -C build digit-robustness -v
#   LL_DIGIT_MODEL=other.llmodel build/tests/test-digit-robustness   # another model
# About 16 minutes on a 2-core machine shared with other work.
#
# Usage: tools/train-default-model.sh [BUILD_DIR] [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

build="${1:-build}"
data="${2:-../shared/data/mnist}"
stage1="$(mktemp --suffix=.llmodel)"
trap 'rm -f "$stage1"' EXIT

if [ ! -x "$build/app/layerlab" ]; then
  echo "error: $build/app/layerlab not found; build first (./run.sh or meson setup $build && ninja -C $build)" >&2
  exit 1
fi

"$build/app/layerlab" train --model tools/digits-model.json --dataset mnist --data-dir "$data" \
  --augment digits --epochs 30 --batch-size 32 --seed 1 --threads 1 --save "$stage1"
"$build/app/layerlab" train --model "$stage1" --dataset mnist --data-dir "$data" \
  --augment digits --epochs 5 --learning-rate 0.0001 --threads 1 \
  --save resources/models/digits.llmodel
