#!/bin/sh
# run-fuzz.sh TARGET SEED_DIR SECONDS [libFuzzer flags...]
# Runs a libFuzzer target for SECONDS over a scratch copy of its seed
# corpus (the committed seeds are only read).  A finding is kept as
# fuzz-artifacts/NAME-crash-… in the current folder: reproduce it with
# TARGET FILE.
set -eu
target=$1 seeds=$2 seconds=$3
shift 3
work=$(mktemp -d "${TMPDIR:-/tmp}/ll-fuzz-corpus-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p fuzz-artifacts
# The suite's runs are reproducible (one seed, LL_FUZZ_SEED to change it):
# a finding fails the same way again; tools/fuzz.sh explores at random.
seed=${LL_FUZZ_SEED:-1}
# libhdf5 (the Keras importers) asks malloc for whatever sizes a damaged
# file names and copes with NULL: there, a refused allocation is the
# library's error path, not ours.
case "$(basename "$target")" in
  *keras*)
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1"
    export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(dirname "$0")/lsan.supp"
    set -- -malloc_limit_mb=1048576 "$@" ;;
esac
exec_rc=0
"$target" -seed="$seed" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="fuzz-artifacts/$(basename "$target")-" \
  "$@" "$work" "$seeds" || exec_rc=$?
exit $exec_rc
