#!/usr/bin/env bash
# Runs Mosquitto in the foreground on 127.0.0.1.
#   mosquitto.sh <state-dir> [port]
# With MOSQUITTO_USERNAME and MOSQUITTO_PASSWORD set (tests), only that user may connect.
set -euo pipefail
source "$(dirname "$0")/env.sh"
dir="$1"; port="${2:-$MQTT_PORT}"
mkdir -p "$dir/data"
auth="allow_anonymous true"
if [ -n "${MOSQUITTO_USERNAME:-}" ]; then
  mosquitto_passwd -c -b "$dir/passwords" "$MOSQUITTO_USERNAME" "${MOSQUITTO_PASSWORD:?MOSQUITTO_PASSWORD goes with MOSQUITTO_USERNAME}"
  auth="allow_anonymous false
password_file $dir/passwords"
fi
cat > "$dir/mosquitto.conf" <<CONF
listener $port 127.0.0.1
$auth
persistence true
persistence_location $dir/data/
autosave_interval 10
# The gateway acks only after Kafka has a message; while Kafka is away the broker
# must keep everything queued for the gateway's persistent session, not drop it
# at the default limit of 1000.
max_queued_messages 0
max_inflight_messages 1000
log_dest stdout
log_type error
log_type warning
log_type notice
CONF
mosquitto_owns "$dir"
exec mosquitto -c "$dir/mosquitto.conf"
