#!/bin/sh
# Widgets are never a GTask's source object in ui/ and app/.  A task run in a
# thread can drop its last reference on the worker, and the source object
# then goes with it: a widget finalized off the main thread crashes in X11
# or Wayland calls now and then.  Pass the view as the callback's user data
# (g_object_ref) and drop it in the callback instead.
set -eu
root=${1:-$(dirname "$0")/..}
bad=$(grep -rnE 'g_task_new[[:space:]]*\([[:space:]]*[^N[:space:]]' "$root/ui" "$root/app" --include='*.c' || true)
if [ -n "$bad" ]; then
  echo "A GTask takes a widget (or other non-NULL object) as its source object:"
  echo "$bad"
  echo "Use g_task_new (NULL, cancellable, callback, g_object_ref (self)) and drop the reference in the callback."
  exit 1
fi
echo "ok: no GTask in ui/ or app/ has a source object"
