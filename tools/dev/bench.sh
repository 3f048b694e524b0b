#!/usr/bin/env bash
# npm run bench -- mqtt|stream|coap [--json] [--messages N]
set -euo pipefail
here="$(dirname "$0")"
bash "$here/../infra/up.sh" >&2
bash "$here/with-node.sh" nx run-many -t build --projects=mqtt-gateway,stream-processor,coap-gateway --outputStyle=static >&2
if [ "${1:-}" = coap ]; then
  # The CoAP bench lives with its gateway: it shares the tests' load generator (node-coap's client).
  exec bash "$here/with-node.sh" tsx --tsconfig apps/coap-gateway/tsconfig.json apps/coap-gateway/bench/coap.bench.ts "$@"
fi
exec bash "$here/with-node.sh" tsx --tsconfig tools/tsconfig.json tools/bench/main.ts "$@"
