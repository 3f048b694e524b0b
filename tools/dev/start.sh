#!/usr/bin/env bash
# npm start: the full local stack with simulated devices, in the foreground.
# Kafka + Mosquitto (started if needed), the MQTT gateway, the stream processor and an MQTT device simulator.
set -euo pipefail
source "$(dirname "$0")/../infra/env.sh"
bash "$FIELDLINK_ROOT/tools/infra/up.sh"
use_node
export PATH="$FIELDLINK_ROOT/node_modules/.bin:$PATH"
cd "$FIELDLINK_ROOT"

HTTP_PORT="${HTTP_PORT:-8080}"
DEVICES="${DEVICES:-20}"
PROCESSOR_HTTP_PORT="${PROCESSOR_HTTP_PORT:-8081}"
log "building the MQTT gateway and the stream processor"
nx run-many -t build --projects=mqtt-gateway,stream-processor --outputStyle=static >/dev/null

# The services authenticate to Kafka over SASL_SSL with SCRAM-SHA-512, as in production; the
# password comes from a file (kafka-credentials.sh) into the environment, never onto a command line.
credentials="$FIELDLINK_STATE/kafka-credentials"
if ! wait_for 20 "Kafka's SASL_SSL listener on 127.0.0.1:$SASL_KAFKA_PORT" port_open "$SASL_KAFKA_PORT"; then
  log "the running Kafka has no SASL_SSL listener (it was started before it existed): npm run infra:down, then npm start"
  exit 1
fi
kafka_config="$FIELDLINK_STATE/local-kafka.json"
cat >"$kafka_config" <<JSON
{ "kafka": { "brokers": ["127.0.0.1:$SASL_KAFKA_PORT"], "tls": { "caFile": "$credentials/ca.pem" },
             "sasl": { "mechanism": "scram-sha-512", "username": "$SASL_KAFKA_USER" } } }
JSON
KAFKA_SASL_PASSWORD="$(cat "$credentials/password")"
export KAFKA_SASL_PASSWORD

pids=()
cleanup() {
  trap - INT TERM EXIT
  log "stopping the gateway, the stream processor and the simulator (Kafka and Mosquitto keep running; npm run infra:down stops them)"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap cleanup INT TERM EXIT

FIELDLINK_CONFIG="$kafka_config" HTTP_PORT="$HTTP_PORT" MQTT_URL="mqtt://127.0.0.1:$MQTT_PORT" \
  node --enable-source-maps dist/apps/mqtt-gateway/main.js >"$FIELDLINK_STATE/mqtt-gateway.log" 2>&1 &
pids+=($!)
wait_for 60 "the MQTT gateway to be ready" curl -sf "http://127.0.0.1:$HTTP_PORT/health/ready" -o /dev/null

FIELDLINK_CONFIG="$kafka_config" HTTP_PORT="$PROCESSOR_HTTP_PORT" \
  node --enable-source-maps dist/apps/stream-processor/main.js >"$FIELDLINK_STATE/stream-processor.log" 2>&1 &
pids+=($!)
wait_for 60 "the stream processor to be ready" curl -sf "http://127.0.0.1:$PROCESSOR_HTTP_PORT/health/ready" -o /dev/null

tsx --tsconfig tools/tsconfig.json tools/simulators/mqtt-devices.ts --devices "$DEVICES" --url "mqtt://127.0.0.1:$MQTT_PORT" &
pids+=($!)

cat <<MSG

  Fieldlink is running: $DEVICES simulated devices → Mosquitto → mqtt-gateway → Kafka → stream-processor.
  The services use Kafka's SASL_SSL listener (SCRAM-SHA-512, user $SASL_KAFKA_USER) on 127.0.0.1:$SASL_KAFKA_PORT;
  the PLAINTEXT one on 127.0.0.1:$KAFKA_PORT is for local tools such as kcat. Credentials: $credentials

  Telemetry in Kafka:   kcat -b 127.0.0.1:$KAFKA_PORT -C -t fieldlink.telemetry -o end -f '%k %s\n'
  Gateway metrics:      http://127.0.0.1:$HTTP_PORT/metrics   (ready: /health/ready)
  Gateway logs:         $FIELDLINK_STATE/mqtt-gateway.log
  Window stats, alerts: kcat -b 127.0.0.1:$KAFKA_PORT -C -t fieldlink.window-stats -t fieldlink.alerts -o end -f '%t %k %s\n'
  Processor metrics:    http://127.0.0.1:$PROCESSOR_HTTP_PORT/metrics   (logs: $FIELDLINK_STATE/stream-processor.log)
  Overheat a device:    mosquitto_pub -p $MQTT_PORT -t sensors/sim-001/data -m '{"temperature": 95}'   (→ alert + shutdown on commands/sim-001)
  Send a command:       echo '{"schemaVersion":1,"id":"c1","deviceId":"sim-001","action":"shutdown"}' | kcat -b 127.0.0.1:$KAFKA_PORT -P -t fieldlink.commands -k sim-001

  Ctrl-C stops the gateway, the stream processor and the simulator.

MSG
wait -n "${pids[@]}"
