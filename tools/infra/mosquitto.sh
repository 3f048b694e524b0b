#!/usr/bin/env bash
# Runs Mosquitto in the foreground on 127.0.0.1.
#   mosquitto.sh <state-dir> [port]
set -euo pipefail
source "$(dirname "$0")/env.sh"
dir="$1"; port="${2:-$MQTT_PORT}"
mkdir -p "$dir/data"
cat > "$dir/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
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
