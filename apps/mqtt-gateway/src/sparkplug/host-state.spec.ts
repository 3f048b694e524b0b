import { type SpbMetric, type SpbPayload } from './codec';
import { DataType } from './datatypes';
import { HostState } from './host-state';
import { type SparkplugTopic } from './sparkplug-topic';

const node = (type: SparkplugTopic['type']): SparkplugTopic => ({ group: 'g', node: 'n', type });
const device = (type: SparkplugTopic['type'], name = 'd'): SparkplugTopic => ({ group: 'g', node: 'n', type, device: name });
const payload = (seq: number, metrics: SpbMetric[], timestamp = 1_700_000_000_000): SpbPayload => ({ seq: String(seq), timestamp: String(timestamp), metrics });
const bdSeq = (n: number): SpbMetric => ({ name: 'bdSeq', datatype: DataType.Int64, long_value: String(n) });
const temp = (value: number, named = false): SpbMetric => ({ ...(named ? { name: 'temp' } : {}), alias: '7', datatype: DataType.Double, double_value: value });

function born(): HostState {
  const state = new HostState();
  state.accept(node('NBIRTH'), payload(0, [bdSeq(3), { name: 'up', alias: '1', datatype: DataType.Int32, int_value: 5 }]));
  state.accept(device('DBIRTH'), payload(1, [temp(20, true)]));
  return state;
}

describe(HostState.name, () => {
  it('names alias-only data from the birth certificate', () => {
    const plan = born().accept(device('DDATA'), payload(2, [temp(21.5)]));
    expect(plan).toEqual({ statuses: [], readings: [{ values: { temp: { value: 21.5 } }, sourceTime: new Date(1_700_000_000_000) }] });
  });

  it('makes one reading per metric timestamp', () => {
    const plan = born().accept(device('DDATA'), payload(2, [{ ...temp(1), timestamp: '1000' }, { ...temp(2), timestamp: '2000' }]));
    expect(plan.readings.map((r) => [r.sourceTime?.getTime(), r.values['temp']?.value])).toEqual([
      [1000, 1],
      [2000, 2],
    ]);
  });

  it('births put the node and device online; a death with the birth\'s bdSeq puts both offline', () => {
    const state = new HostState();
    expect(state.accept(node('NBIRTH'), payload(0, [bdSeq(3)])).statuses).toEqual([{ status: 'online', detail: { bdSeq: '3' } }]);
    expect(state.accept(device('DBIRTH'), payload(1, [temp(20, true)])).statuses).toEqual([{ device: 'd', status: 'online', detail: { bdSeq: '3' } }]);
    expect(state.accept(node('NDEATH'), { metrics: [bdSeq(3)] }).statuses.map((s) => [s.device, s.status])).toEqual([
      [undefined, 'offline'],
      ['d', 'offline'],
    ]);
  });

  it('ignores a late death from an earlier connection (another bdSeq)', () => {
    const plan = born().accept(node('NDEATH'), { metrics: [bdSeq(2)] });
    expect(plan).toEqual({ readings: [], statuses: [] });
  });

  it('refuses data before any birth, and asks for a rebirth', () => {
    expect(new HostState().accept(device('DDATA'), payload(5, [temp(1)]))).toMatchObject({ refused: { reason: 'no-birth' }, rebirth: true });
  });

  it('refuses the message after a seq gap and everything until the next NBIRTH', () => {
    const state = born();
    expect(state.accept(device('DDATA'), payload(3, [temp(1)]))).toMatchObject({ refused: { reason: 'seq-gap' }, rebirth: true });
    expect(state.accept(device('DDATA'), payload(4, [temp(1)]))).toMatchObject({ refused: { reason: 'no-birth' }, rebirth: true });
    state.accept(node('NBIRTH'), payload(0, [bdSeq(3)]));
    state.accept(device('DBIRTH'), payload(1, [temp(20, true)]));
    expect(state.accept(device('DDATA'), payload(2, [temp(1)])).refused).toBeUndefined();
  });

  it('wraps seq from 255 to 0', () => {
    const state = born();
    for (let seq = 2; seq <= 255; seq++) state.accept(device('DDATA'), payload(seq, [temp(1)]));
    expect(state.accept(device('DDATA'), payload(0, [temp(1)])).refused).toBeUndefined();
  });

  it('refuses an alias the birth did not define, and asks for a rebirth', () => {
    expect(born().accept(device('DDATA'), payload(2, [{ alias: '99', datatype: DataType.Double, double_value: 1 }]))).toMatchObject({ refused: { reason: 'unknown-alias' }, rebirth: true });
  });

  it('refuses data of a device without its own DBIRTH', () => {
    expect(born().accept(device('DDATA', 'other'), payload(2, [temp(1)]))).toMatchObject({ refused: { reason: 'no-birth' }, rebirth: true });
  });

  it('refuses a value that does not fit its datatype, without a rebirth', () => {
    const plan = born().accept(device('DDATA'), payload(2, [{ alias: '7', datatype: DataType.Double }]));
    expect(plan).toMatchObject({ refused: { reason: 'bad-value' } });
    expect(plan.rebirth).toBeUndefined();
  });

  it('refuses a payload without seq or timestamp as malformed', () => {
    expect(born().accept(device('DDATA'), { timestamp: '1', metrics: [temp(1)] })).toMatchObject({ refused: { reason: 'malformed' } });
    expect(born().accept(device('DDATA'), { seq: '2', metrics: [temp(1)] })).toMatchObject({ refused: { reason: 'malformed' } });
    expect(born().accept(node('NDEATH'), {})).toMatchObject({ refused: { reason: 'malformed' } });
  });

  it('keeps a metric called __proto__ as a metric', () => {
    const state = new HostState();
    state.accept(node('NBIRTH'), payload(0, [bdSeq(1), { name: '__proto__', alias: '2', datatype: DataType.Boolean, boolean_value: true }]));
    const plan = state.accept(node('NDATA'), payload(1, [{ alias: '2', datatype: DataType.Boolean, boolean_value: false }]));
    expect(Object.entries(plan.readings[0]?.values ?? {})).toEqual([['__proto__', { value: false }]]);
  });
});
