import { SeqSet } from '@fieldlink/testing';
import { type CoapDevices } from '../test/coap-devices';

/** Per device: the seqs the gateway answered 2.04, and how each request was answered. */
export interface Run {
  acked: Map<string, SeqSet>;
  codes: Map<string, number>;
  sent: number;
}

export function newRun(): Run {
  return { acked: new Map(), codes: new Map(), sent: 0 };
}

/** Device `d` POSTs seqs [from, to) one after another; an unanswered request (retransmissions exhausted) counts as not acked. */
export async function postSeqs(devices: CoapDevices, d: number, from: number, to: number, run: Run, until = (): boolean => false): Promise<void> {
  const deviceId = `dev-${d}`;
  const acked = run.acked.get(deviceId) ?? new SeqSet();
  run.acked.set(deviceId, acked);
  for (let seq = from; seq < to && !until(); seq++) {
    run.sent++;
    const answer = await devices.post(d, `sensors/${deviceId}`, JSON.stringify({ seq })).catch(() => undefined);
    const code = answer?.code ?? 'none';
    run.codes.set(code, (run.codes.get(code) ?? 0) + 1);
    if (code === '2.04') acked.add(seq);
    if (code === '5.03') run.codes.set(`5.03 Max-Age ${answer?.maxAge}`, (run.codes.get(`5.03 Max-Age ${answer?.maxAge}`) ?? 0) + 1);
  }
}

export function ackedCount(run: Run): number {
  return [...run.acked.values()].reduce((n, s) => n + s.size, 0);
}
