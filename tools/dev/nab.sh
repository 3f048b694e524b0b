#!/usr/bin/env bash
# npm run nab -- --data <dir> --labels <combined_windows.json> --out <dir> [--detector <type>] [--json]
set -euo pipefail
here="$(dirname "$0")"
bash "$here/../infra/install.sh" >&2
bash "$here/with-node.sh" tsx --tsconfig tools/tsconfig.json tools/nab/main.ts "$@"
