#!/usr/bin/env bash
# Shared by run.sh and test.sh: installs missing Debian packages, then
# configures and builds with meson.
#   tools/setup.sh [--test] BUILD_DIR [meson options...]
# Without --test only what the application needs to build and run is
# installed; --test adds what the tests and benchmarks use.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
if [ "${1:-}" = "--test" ]; then
  with_tests=1
  shift
fi

# Build and run: the application, its fonts and the offline data set.
PACKAGES=(
  gcc pkg-config meson ninja-build
  libglib2.0-dev libglib2.0-bin libjson-glib-dev zlib1g-dev libopenblas-dev
  libgtk-4-dev libadwaita-1-dev libepoxy-dev
  libsoup-3.0-dev
  protobuf-c-compiler libprotobuf-c-dev
  libhdf5-dev libzip-dev        # Keras .h5 and .keras import
  dataset-fashion-mnist
  fonts-noto-cjk                # Hangul: the Korean translation needs a CJK font
  gettext                       # msgfmt: the translations and the translated .desktop and metainfo
)
# Tests and benchmarks only.
TEST_PACKAGES=(
  xvfb xauth                    # the UI suites run under xvfb-run
  locales                       # localedef: de_DE and ko_KR for the locale test
  appstream desktop-file-utils  # validators of the metainfo and .desktop files
  clang libclang-rt-14-dev      # sanitizer runtimes for the ASan/UBSan and TSan trees
  python3-onnx python3-opencv   # ONNX export checks (test export-onnx); ~27 MB, <30 s
  python3-torch                 # the PyTorch export's weights loaded by torch (test export-script), tools/bench-pytorch.py; PyTorch's ONNX exports (test import)
  python3-h5py                  # Keras files in Keras' own layouts (test import)
  fonts-liberation2 fonts-urw-base35  # digits typeset in many faces (test digit-robustness); ~15 MB
)

wanted=("${PACKAGES[@]}")
if [ "$with_tests" = 1 ]; then
  wanted+=("${TEST_PACKAGES[@]}")
fi

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The locale test (tests/test-locale.c: files keep a decimal point under a
# German or Korean locale) runs under de_DE.UTF-8 and ko_KR.UTF-8.
if [ "$with_tests" = 1 ]; then
  for loc in de_DE ko_KR; do
    if ! locale -a 2>/dev/null | grep -qiE "^${loc}\.utf-?8$"; then
      echo "Generating the $loc.UTF-8 locale"
      SUDO=""
      [ "$(id -u)" -ne 0 ] && SUDO="sudo"
      $SUDO localedef -i "$loc" -f UTF-8 "$loc.UTF-8" || echo "warning: could not generate $loc.UTF-8; tests/test-locale.c builds its own"
    fi
  done
fi

build="$1"; shift
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$@"
else
  meson configure "$build" "$@" >/dev/null
fi
ninja -C "$build"
