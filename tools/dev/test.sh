#!/usr/bin/env bash
# npm test: installs what is missing, starts Kafka and Mosquitto if they are not
# running, builds the apps the integration tests run, then runs every test.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/../infra/up.sh"
bash "$here/with-node.sh" nx run-many -t build --projects='tag:type:app' --outputStyle=static
# --forceExit: a test that failed before its cleanup must not keep CI waiting; libs/testing
# kills the services it started when Jest exits.
bash "$here/with-node.sh" jest --ci --runInBand --forceExit "$@"
