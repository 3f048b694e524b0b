import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { workspaceRoot } from '../workspace';
import { type Delivery } from './telemetry-checker';

/** tools/dev/test.sh prints this file after the run, before its summary line. */
const REPORT_FILE = process.env['FAULTS_REPORT'] ?? join(workspaceRoot(), '.infra', 'faults-report.txt');

/**
 * One line per scenario with lost / duplicated / reordered, on stderr and in the report file,
 * in the same form for every gateway's fault scenarios.
 */
export function reportFault(scenario: string, published: number, delivery: Delivery, extra = ''): void {
  const pct = delivery.acknowledged > 0 ? ((100 * delivery.rawDuplicates) / delivery.acknowledged).toFixed(3) : '0';
  const line =
    `${scenario}: published ${published}, acknowledged ${delivery.acknowledged}, lost ${delivery.lost}, ` +
    `raw duplicates ${delivery.rawDuplicates} (${pct}%), duplicates after dedupe by id ${delivery.duplicatesAfterDedupe}, ` +
    `reordered ${delivery.reordered} (on ${delivery.devicesReordered} devices)${extra ? `; ${extra}` : ''}`;
  process.stderr.write(`[faults] ${line}\n`);
  mkdirSync(dirname(REPORT_FILE), { recursive: true });
  appendFileSync(REPORT_FILE, `${line}\n`);
}
