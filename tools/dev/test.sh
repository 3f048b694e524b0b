#!/usr/bin/env bash
# npm test: installs what is missing, starts Kafka and Mosquitto if they are not
# running, builds the apps the integration tests run, then runs every test.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/../infra/up.sh"
bash "$here/with-node.sh" nx run-many -t build --projects='tag:type:app' --outputStyle=static
# --forceExit: a test that failed before its cleanup must not keep CI waiting; libs/testing
# kills the services it started when Jest exits.
results="$(mktemp)"
status=0
bash "$here/with-node.sh" jest --ci --runInBand --forceExit --json --outputFile="$results" "$@" || status=$?
# One plain closing line, after everything Jest prints, for whoever reads the last line.
bash "$here/with-node.sh" node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  console.log(`tests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || echo "tests: 0 passed, 1 failed (Jest wrote no results)"
rm -f "$results"
exit "$status"
