#!/usr/bin/env bash
# npx nx run tools:nab -- [--detector <name>[,...]] [--json]: every detector over ../shared/data/nab by default;
# --expose-gc for the per-series memory measurement.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/../infra/install.sh" >&2
NODE_OPTIONS="--expose-gc ${NODE_OPTIONS:-}" bash "$here/with-node.sh" tsx --tsconfig tools/tsconfig.json tools/nab/main.ts "$@"
