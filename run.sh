#!/usr/bin/env bash
# Installs what is missing, builds, and starts Layerlab.
set -euo pipefail
cd "$(dirname "$0")"
tools/setup.sh build
exec build/app/layerlab "$@"
