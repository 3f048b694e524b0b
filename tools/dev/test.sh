#!/usr/bin/env bash
# npm test: installs what is missing, starts Kafka and Mosquitto if they are not
# running, builds the apps the integration tests run, then runs every test.
#
# Two lanes run side by side, because the suite mostly waits on brokers and devices:
# - serial: the fault scenarios and the whole-stack tests, one file at a time. Each drives
#   a gateway at full load or kills and times a private broker, so two of them at once
#   would measure each other. Two light ones that mostly wait (a PLC changing every 2 s, one
#   device at 250 msg/s), each on a private Kafka, run in the parallel lane instead;
# - parallel: every other file, TEST_WORKERS (default 2) at a time. Each already uses its
#   own Kafka topics, MQTT topic root, client ids, DDS topics and free ports.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/../infra/up.sh"
bash "$here/with-node.sh" nx run-many -t build --projects='tag:type:app' --outputStyle=static
# The DDS files below run the gateway with zero config: DDS domain 0, topic SensorReadings,
# where npm start's DDS devices (tools/start) publish too.
# The leading / makes Jest match --testPathPatterns against the absolute path, as it does
# --testPathIgnorePatterns; otherwise it takes the path relative to each project's root, where
# the lookbehind finds no /tools/faults/ and both lanes would run the two light files.
serial_files='/.*((?<!/apps/opcua-gateway/faults/kafka-outage|/tools/faults/kafka-hang)\.faults\.ts$|/tools/start/|/tools/packaging/bundles\.spec\.ts$|/apps/dds-gateway/test/(interop|containment)\.spec\.ts$)'
results="$(mktemp -d)"
faults_report="${FAULTS_REPORT:-$here/../../.infra/faults-report.txt}"
rm -f "$faults_report"

# --forceExit: a test that failed before its cleanup must not keep CI waiting; libs/testing
# kills the services it started when Jest exits.
lane() {
  local name="$1"
  shift
  bash "$here/with-node.sh" jest --ci --forceExit --passWithNoTests --json --outputFile="$results/$name.json" "$@" 2>&1 |
    sed -u "s/^/[$name] /"
}
lane serial --runInBand --testPathPatterns "$serial_files" "$@" &
serial_pid=$!
lane parallel --maxWorkers="${TEST_WORKERS:-2}" --testPathIgnorePatterns "$serial_files" "$@" &
parallel_pid=$!
status=0
wait "$serial_pid" || status=$?
wait "$parallel_pid" || status=$?

if [ -s "$faults_report" ]; then
  echo "fault-injection report (lost / duplicated / reordered per scenario):"
  sed 's/^/  /' "$faults_report"
fi
# The slowest files and one plain closing line, after everything Jest prints.
bash "$here/with-node.sh" node "$here/test-summary.cjs" "$results/serial.json" "$results/parallel.json" || status=1
rm -rf "$results"
exit "$status"
