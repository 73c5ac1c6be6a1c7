#!/usr/bin/env bash
# Installs what is missing (the application's packages and the test
# tools), builds, and runs every test: the meson suites (UI tests under
# xvfb-run), then the engine and core suites again under AddressSanitizer
# + UndefinedBehaviorSanitizer with the finite-value check after every
# operator, every loader's fuzz target briefly (clang, libFuzzer), and the
# threads under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")"
start=$(date +%s)

tools/setup.sh --test build -Dwerror=true
xvfb-run -a -s "-screen 0 1600x1000x24" meson test -C build --print-errorlogs --num-processes 2

# -Ddebug_finite: every operator's output checked for NaN/Inf born of finite input.
tools/setup.sh --test build-sanitize -Dui=false -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -Ddebug_finite=true
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-sanitize --suite engine --suite core --print-errorlogs --num-processes 2

# Every loader's libFuzzer target for a few seconds over its seed corpus
# (tests/fuzz/README.md; tools/fuzz.sh fuzzes for longer).
CC=clang tools/setup.sh --test build-fuzz -Dfuzz=true -Dui=false -Db_sanitize=address,undefined -Db_lundef=false
meson test -C build-fuzz --suite fuzz --print-errorlogs

# The threads' hand-offs (the training thread: cancel, pause, a new
# learning rate from another thread; the core's workers) under
# ThreadSanitizer.  OpenBLAS is not instrumented, so it runs
# single-threaded here.
tools/setup.sh --test build-tsan -Dui=false -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug
# (A suite and a test name together select their intersection: two runs.
# tests/meson.build gives OpenBLAS one thread in this tree; tests/tsan.supp
# says why GLib's own memory calls are not checked.  G_SLICE=always-malloc:
# GLib 2.74's slice allocator hands memory from one thread's magazine to
# another under its own futex locks, which TSan would report as races on
# the memory itself.)
TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" OPENBLAS_NUM_THREADS=1 G_SLICE=always-malloc \
  meson test -C build-tsan --suite core --print-errorlogs --timeout-multiplier 3
TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" OPENBLAS_NUM_THREADS=1 G_SLICE=always-malloc \
  meson test -C build-tsan trainer --print-errorlogs --timeout-multiplier 3

echo "test.sh: all suites passed in $(( $(date +%s) - start )) s"
