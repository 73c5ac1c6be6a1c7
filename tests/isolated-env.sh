#!/bin/sh
# Runs one test (or benchmark) with its own empty XDG data, config, cache
# and state folders, removed afterwards: no test reads or writes the
# user's runs.json, data sets, recent files or settings, and no test sees
# what another one left.  meson test uses it for every test (the default
# test setup in tests/meson.build); `meson test --setup plain` runs
# without it, e.g. with --wrapper or --gdb.
dir=$(mktemp -d "${TMPDIR:-/tmp}/layerlab-xdg-XXXXXX") || exit 99
for sub in data config cache state; do
  mkdir "$dir/$sub" || exit 99
done
XDG_DATA_HOME="$dir/data"
XDG_CONFIG_HOME="$dir/config"
XDG_CACHE_HOME="$dir/cache"
XDG_STATE_HOME="$dir/state"
export XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME XDG_STATE_HOME
# A signal from meson (timeout, Ctrl+C) reaches the whole process group;
# the folder is removed in every case but SIGKILL.
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$@"
status=$?
exit $status
