import { type Snapshot, KEEP, alertFor } from './live-view';

const time = (iso: string): string => iso.slice(11, 19);
const num = (value: number, digits = 1): string => value.toFixed(digits);

/** The screen, as lines; `width` trims them to the terminal. */
export function render(snapshot: Snapshot, hints: string[], width: number): string[] {
  const up = Math.round((Date.now() - Date.parse(snapshot.startedAt)) / 1000);
  const raised = snapshot.alerts.filter((a) => a.state === 'raised');
  const lines = [
    `Fieldlink local stack · up ${Math.floor(up / 60)}m${String(up % 60).padStart(2, '0')}s · ${new Date().toISOString().slice(11, 19)} UTC · Ctrl-C stops it`,
    '',
    `${'service'.padEnd(18)}${'state'.padEnd(11)}${'in/s'.padStart(8)}${'out/s'.padStart(8)}${'in total'.padStart(10)}${'dead letters'.padStart(14)}${'spool'.padStart(7)}`,
    ...snapshot.services.map(
      (s) =>
        `${s.name.padEnd(18)}${s.state.padEnd(11)}${num(s.inPerSec).padStart(8)}${num(s.outPerSec).padStart(8)}${String(s.inTotal).padStart(10)}` +
        `${String(s.deadLetters).padStart(14)}${(s.spool === null ? '-' : String(s.spool)).padStart(7)}`,
    ),
    '',
    `Injected anomalies (simulator logs): ${snapshot.anomalies.length}, ${snapshot.anomalies.filter((a) => alertFor(a, snapshot.alerts)).length} of them alerted`,
    ...snapshot.anomalies.slice(-KEEP).map((a) => {
      const alert = alertFor(a, snapshot.alerts);
      return `  ${time(a.at)} ${a.simulator.padEnd(10)} #${a.n} ${a.kind} on ${a.deviceId} ${a.metric}: ${a.what}${alert ? ` → alert ${time(alert.eventTime)}` : ''}`;
    }),
    '',
    `Alerts: ${raised.length} raised (${raised.filter((a) => !snapshot.anomalies.some((an) => alertFor(an, [a]))).length} without an injected anomaly), ${snapshot.alerts.length - raised.length} cleared`,
    ...raised.slice(-KEEP).map((a) => {
      const cleared = snapshot.alerts.find((c) => c.raisedId === a.id);
      return `  ${time(a.eventTime)} ${a.severity.padEnd(8)}${a.deviceId} ${a.metric} = ${a.value}  score ${num(a.score, 2)} (${a.detector})${cleared ? `, cleared ${time(cleared.eventTime)}` : ''}`;
    }),
    '',
    `Commands and their results: ${snapshot.commands.length}`,
    ...snapshot.commands.slice(-KEEP).map((c) => {
      const rule = typeof c.command.args?.['rule'] === 'string' ? c.command.args['rule'] : '';
      const result = c.result ? `${c.result.status}${c.result.code ? ` ${c.result.code}` : ''} (${c.result.gateway})${c.result.output === undefined ? '' : ` ${JSON.stringify(c.result.output)}`}` : 'waiting for a result';
      return `  ${time(c.at)} ${c.command.action} → ${c.command.deviceId} [${rule}]: ${result}`;
    }),
    '',
    ...hints,
  ];
  return lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
}
