#!/usr/bin/env bash
# npx nx run tools:demo-no-loss: a stand-alone demonstration that nothing acknowledged is lost.
#
# On its own Kafka and Mosquitto (fresh, in a temp dir, on their own ports), 10 devices publish
# 20,000 QoS 1 messages with unique seq values through mosquitto_pub while Kafka is SIGKILLed and
# restarted 3 times and the gateway is SIGKILLed and restarted once. Then kcat reads
# fieldlink.telemetry and every seq must be there.
set -euo pipefail
source "$(dirname "$0")/../infra/env.sh"
bash "$FIELDLINK_ROOT/tools/infra/install.sh"
use_node
cd "$FIELDLINK_ROOT"

DEVICES=10
PER_DEVICE=2000
TOTAL=$((DEVICES * PER_DEVICE))
KAFKA_KILLS=3
DEMO_KAFKA_PORT="${DEMO_KAFKA_PORT:-29092}"
DEMO_KAFKA_CONTROLLER_PORT="${DEMO_KAFKA_CONTROLLER_PORT:-29093}"
DEMO_MQTT_PORT="${DEMO_MQTT_PORT:-21883}"
DEMO_HTTP_PORT="${DEMO_HTTP_PORT:-28080}"
for port in "$DEMO_KAFKA_PORT" "$DEMO_KAFKA_CONTROLLER_PORT" "$DEMO_MQTT_PORT" "$DEMO_HTTP_PORT"; do
  if port_open "$port"; then log "port $port is taken; set DEMO_KAFKA_PORT, DEMO_KAFKA_CONTROLLER_PORT, DEMO_MQTT_PORT or DEMO_HTTP_PORT"; exit 2; fi
done
brokers="127.0.0.1:$DEMO_KAFKA_PORT"
metrics="http://127.0.0.1:$DEMO_HTTP_PORT/metrics"

log "building the MQTT gateway"
node_modules/.bin/nx run mqtt-gateway:build --outputStyle=static >/dev/null

work="$(mktemp -d -t fieldlink-demo-XXXXXX)"
kafka_pid=""; mosquitto_pid=""; gateway_pid=""; publishers=()
cleanup() {
  kill -KILL "${publishers[@]}" $gateway_pid $kafka_pid $mosquitto_pid 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The sum of a metric's series, or nothing if the gateway does not answer.
metric() { curl -sf "$metrics" | awk -v name="$1" '$1 == name || index($1, name "{") == 1 { sum += $2 } END { print sum + 0 }' || true; }
kafka_up() { kcat -b "$brokers" -L -m 2 >/dev/null 2>&1; }
gateway_ready() { curl -sf "http://127.0.0.1:$DEMO_HTTP_PORT/health/ready" -o /dev/null; }
spooling() { local n; n="$(metric fieldlink_spool_records)"; [ "${n:-0}" -gt 0 ]; }
forwarded() { local n; n="$(metric fieldlink_ingest_forwarded_total)"; echo "${n:-0}"; }
forwarded_over() { [ "$(forwarded)" -gt "$1" ]; }

start_kafka() {
  bash tools/infra/kafka.sh "$work/kafka" "$DEMO_KAFKA_PORT" "$DEMO_KAFKA_CONTROLLER_PORT" >>"$work/kafka.log" 2>&1 &
  kafka_pid=$!
  wait_for 120 "Kafka on $brokers" kafka_up
}
start_gateway() {
  KAFKA_BROKERS="$brokers" MQTT_URL="mqtt://127.0.0.1:$DEMO_MQTT_PORT" HTTP_PORT="$DEMO_HTTP_PORT" \
    SPOOL_DIR="$work/spool" GATEWAY_INSTANCE_ID=demo LOG_LEVEL=warn \
    node dist/apps/mqtt-gateway/main.js >>"$work/gateway.log" 2>&1 &
  gateway_pid=$!
}

log "starting Kafka ($brokers) and Mosquitto (127.0.0.1:$DEMO_MQTT_PORT) in $work"
bash tools/infra/mosquitto.sh "$work/mosquitto" "$DEMO_MQTT_PORT" >"$work/mosquitto.log" 2>&1 &
mosquitto_pid=$!
start_kafka
start_gateway
wait_for 120 "the gateway to be ready" gateway_ready

# Each device sends seqs d*PER_DEVICE .. d*PER_DEVICE+PER_DEVICE-1, 50 every 3 s: two minutes in all, so every fault lands mid-stream.
log "publishing $TOTAL QoS 1 messages from $DEVICES devices with mosquitto_pub"
for d in $(seq 0 $((DEVICES - 1))); do
  (
    first=$((d * PER_DEVICE))
    for chunk in $(seq 0 50 $((PER_DEVICE - 1))); do
      for i in $(seq $((first + chunk)) $((first + chunk + 49))); do echo "{\"seq\":$i,\"temperature\":21.5}"; done
      sleep 3
    done | mosquitto_pub -p "$DEMO_MQTT_PORT" -q 1 -i "demo-device-$d" -t "sensors/demo-$d/data" -l
  ) &
  publishers+=($!)
done

for kill in $(seq 1 $KAFKA_KILLS); do
  wait_for 120 "$((kill * 3000 - 1000)) messages forwarded" forwarded_over $((kill * 3000 - 1000))
  log "SIGKILL Kafka ($kill of $KAFKA_KILLS) after $(forwarded) forwarded"
  kill -KILL "$kafka_pid"; wait "$kafka_pid" 2>/dev/null || true
  wait_for 60 "the gateway to spool" spooling
  log "  the gateway is spooling ($(metric fieldlink_spool_records) records on disk); restarting Kafka"
  start_kafka
done
wait_for 120 "11000 messages forwarded" forwarded_over 11000
log "SIGKILL the gateway after $(forwarded) forwarded (spool: $(metric fieldlink_spool_records) records)"
kill -KILL "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
start_gateway
wait_for 120 "the restarted gateway to be ready" gateway_ready
log "gateway restarted; waiting for the devices to finish"
for pid in "${publishers[@]}"; do wait "$pid"; done
publishers=()

log "checking fieldlink.telemetry with kcat"
seqs() { kcat -C -b "$brokers" -t fieldlink.telemetry -o beginning -e -q -f '%s\n' | grep -o '"seq":{"value":[0-9]*' | grep -o '[0-9]*$'; }
all_there() { [ "$(seqs | sort -n -u | wc -l)" -eq "$TOTAL" ]; }
if ! wait_for 180 "all $TOTAL seqs in fieldlink.telemetry" all_there; then
  missing="$(comm -23 <(seq 0 $((TOTAL - 1)) | sort) <(seqs | sort -u) | sort -n)"
  log "MISSING $(echo "$missing" | wc -l) seqs, e.g. $(echo "$missing" | head -5 | tr '\n' ' ')"
  exit 1
fi
records="$(seqs | wc -l)"
log "every one of the $TOTAL seqs is in fieldlink.telemetry ($records records, $((records - TOTAL)) duplicates), after $KAFKA_KILLS Kafka SIGKILLs and 1 gateway SIGKILL"
