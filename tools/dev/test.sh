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
faults_report="${FAULTS_REPORT:-$here/../../.infra/faults-report.txt}"
rm -f "$faults_report"
status=0
bash "$here/with-node.sh" jest --ci --runInBand --forceExit --json --outputFile="$results" "$@" || status=$?
if [ -s "$faults_report" ]; then
  echo "fault-injection report (lost / duplicated / reordered per scenario):"
  sed 's/^/  /' "$faults_report"
fi
# One plain closing line, after everything Jest prints, for whoever reads the last line.
bash "$here/with-node.sh" node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  console.log(`tests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || echo "tests: 0 passed, 1 failed (Jest wrote no results)"
rm -f "$results"
exit "$status"
