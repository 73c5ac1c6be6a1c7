#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the meson suites
# (UI tests under xvfb-run), then the engine suites again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")"
start=$(date +%s)

tools/setup.sh build -Dwerror=true
xvfb-run -a -s "-screen 0 1600x1000x24" meson test -C build --print-errorlogs --num-processes 2

tools/setup.sh build-sanitize -Dui=false -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-sanitize --suite engine --print-errorlogs --num-processes 2

echo "test.sh: all suites passed in $(( $(date +%s) - start )) s"
