#!/usr/bin/env bash
# Shared by run.sh and test.sh: installs missing Debian packages, then
# configures and builds with meson.  Usage: tools/setup.sh BUILD_DIR [meson options...]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  gcc pkg-config meson ninja-build
  libglib2.0-dev libglib2.0-bin libjson-glib-dev zlib1g-dev libopenblas-dev
  libgtk-4-dev libadwaita-1-dev libepoxy-dev
  xvfb xauth appstream desktop-file-utils
  dataset-fashion-mnist
  libsoup-3.0-dev
  protobuf-c-compiler libprotobuf-c-dev
  python3-onnx python3-opencv   # ONNX export checks (test export-onnx); ~27 MB, <30 s
  python3-torch                 # the PyTorch export's weights loaded by torch (test export-script), tools/bench-pytorch.py
)

missing=()
for p in "${PACKAGES[@]}"; do
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

build="$1"; shift
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$@"
else
  meson configure "$build" "$@" >/dev/null
fi
ninja -C "$build"
