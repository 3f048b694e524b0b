#!/usr/bin/env bash
# npm run bench -- mqtt|sparkplug|coap|opcua|dds|stream|alerts [--json] [--messages N | --seconds N (opcua) | --samples N (dds)]
# A bench lives beside what it measures: apps/<app>/bench/<name>.bench.ts; the alerts bench,
# which runs libs/analytics over npm start's simulators with no service, in tools/bench.
# SERVICE_MEMORY_LIMIT_MIB=512 runs each service in a memory cgroup of that size and prints its peak memory.
set -euo pipefail
here="$(dirname "$0")"
name="${1:-mqtt}"
case "$name" in
  alerts) project=tools ;;
  stream) project=apps/stream-processor ;;
  mqtt | coap | opcua | dds) project="apps/$name-gateway" ;;
  sparkplug) project=apps/mqtt-gateway ;;
  *)
    echo "unknown benchmark \"$name\"; choose one of: mqtt, sparkplug, coap, opcua, dds, stream, alerts" >&2
    exit 2
    ;;
esac
if [ "$name" = alerts ]; then
  # Pure processing on a virtual clock: no Kafka, no build; --expose-gc for the state measurement.
  NODE_OPTIONS="--expose-gc ${NODE_OPTIONS:-}" exec bash "$here/with-node.sh" tsx --tsconfig tools/tsconfig.json tools/bench/alerts.bench.ts "$@"
fi
bash "$here/../infra/up.sh" >&2
bash "$here/with-node.sh" nx run-many -t build --projects=mqtt-gateway,stream-processor,coap-gateway,opcua-gateway,dds-gateway --outputStyle=static >&2
exec bash "$here/with-node.sh" tsx --tsconfig "$project/tsconfig.json" "$project/bench/$name.bench.ts" "$@"
