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
exec_rc=0
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="fuzz-artifacts/$(basename "$target")-" \
  "$@" "$work" "$seeds" || exec_rc=$?
exit $exec_rc
