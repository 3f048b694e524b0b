// Merges the Jest JSON results of npm test's lanes: prints the slowest files, then the
// closing line `tests: N passed, N failed, N skipped`. Exits 1 when a lane wrote no results.
const { existsSync, readFileSync } = require('node:fs');
const { relative } = require('node:path');

const totals = { passed: 0, failed: 0, skipped: 0 };
const files = [];
let missing = 0;
for (const path of process.argv.slice(2)) {
  if (!existsSync(path)) {
    missing++;
    continue;
  }
  const r = JSON.parse(readFileSync(path, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  totals.skipped += r.numPendingTests + r.numTodoTests;
  for (const t of r.testResults) files.push({ name: relative(process.cwd(), t.name), seconds: (t.endTime - t.startTime) / 1000 });
}
files.sort((a, b) => b.seconds - a.seconds);
console.log('slowest test files:');
for (const f of files.slice(0, 12)) console.log(`  ${f.seconds.toFixed(0).padStart(5)} s  ${f.name}`);
if (missing > 0) totals.failed += missing;
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped${missing ? ` (${missing} lane(s) wrote no results)` : ''}`);
process.exit(missing > 0 ? 1 : 0);
