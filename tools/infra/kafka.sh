#!/usr/bin/env bash
# Runs one single-node Apache Kafka (KRaft, broker+controller) in the foreground.
#   kafka.sh <state-dir> [port] [controller-port] [advertised-port]
# The state dir keeps the log dirs across restarts, so a stopped broker comes back with its data.
# advertised-port (default: port) is what clients are told to connect to; a fault proxy in
# front of the broker sets it to its own port, so no client bypasses it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
dir="$1"; port="${2:-$KAFKA_PORT}"; cport="${3:-$KAFKA_CONTROLLER_PORT}"; aport="${4:-$port}"
[ -f "$KAFKA_LIBS/.complete" ] || { log "Kafka jars missing; run tools/infra/install.sh"; exit 1; }
mkdir -p "$dir"
cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$aport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
PROPS
# Optional SASL_SSL listener with SCRAM-SHA-512, for clients that must authenticate:
#   KAFKA_SASL_SSL_PORT, KAFKA_SSL_KEYSTORE (PEM: private key + certificate chain),
#   KAFKA_SCRAM_USER / KAFKA_SCRAM_PASSWORD (the one user, created when the storage is formatted).
format_args=()
if [ -n "${KAFKA_SASL_SSL_PORT:-}" ]; then
  mkdir -p "$dir/tls"
  cp "$KAFKA_SSL_KEYSTORE" "$dir/tls/keystore.pem"
  cat >> "$dir/server.properties" <<PROPS
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$aport,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$dir/tls/keystore.pem
PROPS
  format_args=(--add-scram "SCRAM-SHA-512=[name=\"$KAFKA_SCRAM_USER\",password=\"$KAFKA_SCRAM_PASSWORD\"]")
fi
cat > "$dir/log4j2.properties" <<PROPS
rootLogger.level=WARN
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.server.name=kafka.server.KafkaRaftServer
logger.server.level=INFO
PROPS
cp="$KAFKA_LIBS/*"
if [ ! -f "$dir/data/meta.properties" ]; then
  cluster_id="$(java -cp "$cp" kafka.tools.StorageTool random-uuid)"
  java -cp "$cp" -Dlog4j2.configurationFile="$dir/log4j2.properties" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" "${format_args[@]}" >/dev/null
fi
exec java -Xms256m -Xmx${KAFKA_HEAP:-768m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$cp" kafka.Kafka "$dir/server.properties"
