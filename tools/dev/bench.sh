#!/usr/bin/env bash
# npm run bench -- mqtt|stream|coap|opcua|dds|alerts [--json] [--messages N | --seconds N (opcua) | --samples N (dds)]
set -euo pipefail
here="$(dirname "$0")"
if [ "${1:-}" = alerts ]; then
  # Pure processing on a virtual clock: no Kafka, no build; --expose-gc for the state measurement.
  NODE_OPTIONS="--expose-gc ${NODE_OPTIONS:-}" exec bash "$here/with-node.sh" tsx --tsconfig tools/tsconfig.json tools/bench/main.ts "$@"
fi
bash "$here/../infra/up.sh" >&2
bash "$here/with-node.sh" nx run-many -t build --projects=mqtt-gateway,stream-processor,coap-gateway,opcua-gateway,dds-gateway --outputStyle=static >&2
if [ "${1:-}" = coap ]; then
  # The CoAP bench lives with its gateway: it shares the tests' load generator (node-coap's client).
  exec bash "$here/with-node.sh" tsx --tsconfig apps/coap-gateway/tsconfig.json apps/coap-gateway/bench/coap.bench.ts "$@"
fi
if [ "${1:-}" = opcua ]; then
  # Its server and baseline are node-opcua, the gateway's own dependency.
  exec bash "$here/with-node.sh" tsx --tsconfig apps/opcua-gateway/tsconfig.json apps/opcua-gateway/bench/opcua.bench.ts "$@"
fi
if [ "${1:-}" = dds ]; then
  # Its publisher is the tests' Cyclone DDS peer; its baseline the RTI Connector, the gateway's own dependency.
  exec bash "$here/with-node.sh" tsx --tsconfig apps/dds-gateway/tsconfig.json apps/dds-gateway/bench/dds.bench.ts "$@"
fi
exec bash "$here/with-node.sh" tsx --tsconfig tools/tsconfig.json tools/bench/main.ts "$@"
