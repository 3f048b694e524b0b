#!/usr/bin/env bash
# Stops the services started by up.sh.
set -euo pipefail
source "$(dirname "$0")/env.sh"
for name in kafka mosquitto; do
  pidfile="$FIELDLINK_STATE/$name.pid"
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill "$pid"
    wait_for 60 "$name to stop" bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid"
  fi
  rm -f "$pidfile"
done
