#!/usr/bin/env bash
# Starts a real Apache Kafka (KRaft) on 127.0.0.1:9092 and Mosquitto on 127.0.0.1:1883
# as local processes. Idempotent: a service already answering on its port is reused.
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$(dirname "$0")/install.sh"
mkdir -p "$FIELDLINK_STATE"

start() { # start <name> <port> <command...>
  local name="$1" port="$2"; shift 2
  if port_open "$port"; then log "$name already running on 127.0.0.1:$port"; return; fi
  log "starting $name on 127.0.0.1:$port (log: $FIELDLINK_STATE/$name.log)"
  nohup "$@" >"$FIELDLINK_STATE/$name.log" 2>&1 &
  echo $! >"$FIELDLINK_STATE/$name.pid"
}

start mosquitto "$MQTT_PORT" bash "$(dirname "$0")/mosquitto.sh" "$FIELDLINK_STATE/mosquitto" "$MQTT_PORT"
credentials="$(bash "$(dirname "$0")/kafka-credentials.sh")"
password="$(cat "$credentials/password")"
KAFKA_SSL_KEYSTORE="$credentials/keystore.pem" KAFKA_SCRAM_PASSWORD="$password" KAFKA_SASL_SSL_PORT="$SASL_KAFKA_PORT" KAFKA_SCRAM_USER="$SASL_KAFKA_USER" \
  start kafka "$KAFKA_PORT" bash "$(dirname "$0")/kafka.sh" "$FIELDLINK_STATE/kafka" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"

wait_for 30 "mosquitto" port_open "$MQTT_PORT"
wait_for 120 "kafka" port_open "$KAFKA_PORT"
# The port opens before the broker can serve metadata; kcat -L proves it answers.
wait_for 60 "kafka metadata" bash -c "kcat -b 127.0.0.1:$KAFKA_PORT -L -m 5 >/dev/null 2>&1"
# Storage formatted before the SASL_SSL listener existed has no SCRAM user; setting it is idempotent.
if [ ! -f "$FIELDLINK_STATE/kafka/.scram-user" ]; then
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$FIELDLINK_STATE/kafka/log4j2.properties" kafka.admin.ConfigCommand \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter --entity-type users --entity-name "$SASL_KAFKA_USER" \
    --add-config "SCRAM-SHA-512=[password=$password]" >/dev/null
  mkdir -p "$FIELDLINK_STATE/kafka" && touch "$FIELDLINK_STATE/kafka/.scram-user"
fi
log "infra up: Kafka 127.0.0.1:$KAFKA_PORT (SASL_SSL for services: $SASL_KAFKA_PORT), Mosquitto 127.0.0.1:$MQTT_PORT"
