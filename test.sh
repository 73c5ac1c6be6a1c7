#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the meson suites
# (UI tests under xvfb-run), then the engine suites again under
# AddressSanitizer + UndefinedBehaviorSanitizer, and the training thread
# under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")"
start=$(date +%s)

tools/setup.sh build -Dwerror=true
xvfb-run -a -s "-screen 0 1600x1000x24" meson test -C build --print-errorlogs --num-processes 2

tools/setup.sh build-sanitize -Dui=false -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-sanitize --suite engine --print-errorlogs --num-processes 2

# The training thread's hand-offs (cancel, pause, a new learning rate from
# another thread) under ThreadSanitizer.  OpenBLAS is not instrumented, so
# it runs single-threaded here.
tools/setup.sh build-tsan -Dui=false -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug
TSAN_OPTIONS=halt_on_error=1 OPENBLAS_NUM_THREADS=1 \
  meson test -C build-tsan trainer --print-errorlogs

echo "test.sh: all suites passed in $(( $(date +%s) - start )) s"
