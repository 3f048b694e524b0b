#!/usr/bin/env bash
# npm run bench -- mqtt|stream [--json] [--messages N]
set -euo pipefail
here="$(dirname "$0")"
bash "$here/../infra/up.sh" >&2
bash "$here/with-node.sh" nx run-many -t build --projects=mqtt-gateway,stream-processor --outputStyle=static >&2
bash "$here/with-node.sh" tsx --tsconfig tools/tsconfig.json tools/bench/main.ts "$@"
