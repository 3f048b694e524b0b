#!/usr/bin/env bash
# Runs a command with Node >= 22 first on PATH and node_modules/.bin available.
set -euo pipefail
source "$(dirname "$0")/../infra/env.sh"
use_node
export PATH="$FIELDLINK_ROOT/node_modules/.bin:$PATH"
cd "$FIELDLINK_ROOT"
exec "$@"
