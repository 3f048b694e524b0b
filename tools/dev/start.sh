#!/usr/bin/env bash
# npm start: the full local stack with simulated devices, in the foreground.
# Kafka + Mosquitto (started if needed), all four gateways, the stream processor, a simulator
# per protocol and a live view (tools/start/main.ts). Ctrl-C stops what it started.
set -euo pipefail
source "$(dirname "$0")/../infra/env.sh"
bash "$FIELDLINK_ROOT/tools/infra/up.sh"
use_node
export PATH="$FIELDLINK_ROOT/node_modules/.bin:$PATH"
cd "$FIELDLINK_ROOT"

log "building the gateways and the stream processor"
nx run-many -t build --projects='tag:type:app' --outputStyle=static >/dev/null

# The services authenticate to Kafka over SASL_SSL with SCRAM-SHA-512, as in production; the
# password comes from a file (kafka-credentials.sh) into the environment, never onto a command line.
credentials="$FIELDLINK_STATE/kafka-credentials"
if ! wait_for 20 "Kafka's SASL_SSL listener on 127.0.0.1:$SASL_KAFKA_PORT" port_open "$SASL_KAFKA_PORT"; then
  log "the running Kafka has no SASL_SSL listener (it was started before it existed): npm run infra:down, then npm start"
  exit 1
fi
KAFKA_SASL_PASSWORD="$(cat "$credentials/password")"
export FIELDLINK_ROOT FIELDLINK_STATE KAFKA_PORT SASL_KAFKA_PORT SASL_KAFKA_USER MQTT_PORT KAFKA_SASL_PASSWORD
export KAFKA_CA_FILE="$credentials/ca.pem"
# One node process, not the tsx CLI: its parent SIGKILLs a child that is slow to report a signal,
# which would leave the services running.
TSX_TSCONFIG_PATH=tools/tsconfig.json exec node --import tsx tools/start/main.ts "$@"
