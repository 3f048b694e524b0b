import { type SpbMetric, type SpbPayload } from './codec';
import { DataType } from './datatypes';
import { HostState } from './host-state';
import { type SparkplugTopic } from './sparkplug-topic';

const node = (type: SparkplugTopic['type']): SparkplugTopic => ({ group: 'g', node: 'n', type });
const device = (type: SparkplugTopic['type'], name = 'd'): SparkplugTopic => ({ group: 'g', node: 'n', type, device: name });
const payload = (seq: number, metrics: SpbMetric[], timestamp = 1_700_000_000_000): SpbPayload => ({ seq: String(seq), timestamp: String(timestamp), metrics });
const bdSeq = (n: number): SpbMetric => ({ name: 'bdSeq', datatype: DataType.Int64, long_value: String(n) });
const temp = (value: number, named = false): SpbMetric => ({ ...(named ? { name: 'temp' } : {}), alias: '7', datatype: DataType.Double, double_value: value });

const LIMITS = { maxNodes: 100, maxDevicesPerNode: 10 };

function born(): HostState {
  const state = new HostState(LIMITS);
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
    const state = new HostState(LIMITS);
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
    expect(new HostState(LIMITS).accept(device('DDATA'), payload(5, [temp(1)]))).toMatchObject({ refused: { reason: 'no-birth' }, rebirth: true });
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

  it('forwards the readable metrics of a message and names the unreadable ones, without a rebirth', () => {
    const state = new HostState(LIMITS);
    state.accept(node('NBIRTH'), payload(0, [bdSeq(1), { name: 'small', alias: '2', datatype: DataType.UInt8, int_value: 1 }, { name: 'ok', alias: '3', datatype: DataType.Boolean, boolean_value: true }]));
    const plan = state.accept(node('NDATA'), payload(1, [{ alias: '2', int_value: 300 }, { alias: '3', boolean_value: false }]));
    expect(plan.readings.map((r) => r.values)).toEqual([{ ok: { value: false } }]);
    expect(plan.unreadable).toMatch('metric "small": a UInt8 metric has the value 300, which does not fit 8 bits');
    expect(plan.refused).toBeUndefined();
    expect(plan.rebirth).toBeUndefined();
  });

  it('drops null values, and a timestamp group left empty by them', () => {
    const plan = born().accept(device('DDATA'), payload(2, [{ ...temp(1), timestamp: '1000' }, { alias: '7', is_null: true, timestamp: '2000' }]));
    expect(plan.readings.map((r) => r.sourceTime?.getTime())).toEqual([1000]);
  });

  it('refuses a birth with a metric twice, an alias twice or a metric without datatype, and does not adopt it', () => {
    const state = new HostState(LIMITS);
    const refusal = (metrics: SpbMetric[]) => state.accept(node('NBIRTH'), payload(0, [bdSeq(1), ...metrics])).refused;
    expect(refusal([temp(1, true), { ...temp(2, true), name: 'other' }])).toEqual({ reason: 'malformed', message: 'the birth gives alias 7 to "temp" and "other"' });
    expect(state.accept(node('NDATA'), payload(1, [temp(1)]))).toMatchObject({ refused: { reason: 'no-birth' } });
    expect(refusal([{ name: 'x', alias: '1' }])).toEqual({ reason: 'malformed', message: 'a birth metric "x" without a datatype' });
    expect(refusal([temp(1, true), { ...temp(1, true), alias: '8' }])).toEqual({ reason: 'malformed', message: 'the birth defines metric "temp" twice' });
  });

  it('a new NBIRTH puts the devices of the last one offline, so a lost DDEATH leaves none online', () => {
    const plan = born().accept(node('NBIRTH'), payload(0, [bdSeq(4)]));
    expect(plan.statuses.map((s) => [s.device, s.status])).toEqual([
      ['d', 'offline'],
      [undefined, 'online'],
    ]);
  });

  it('holds at most maxNodes edge nodes, and no node that never had a birth', () => {
    const state = new HostState({ maxNodes: 1, maxDevicesPerNode: 1 });
    expect(state.accept({ group: 'g', node: 'stray', type: 'NDATA' }, payload(1, [temp(1)]))).toMatchObject({ refused: { reason: 'no-birth' } });
    expect(state.node('g', 'stray')).toBeUndefined();
    state.accept(node('NBIRTH'), payload(0, [bdSeq(1), temp(1, true)]));
    state.accept({ group: 'g', node: 'other', type: 'NBIRTH' }, payload(0, [bdSeq(1)]));
    expect(state.node('g', 'n')).toBeUndefined();
    expect(state.accept(node('NDATA'), payload(1, [temp(1)]))).toMatchObject({ refused: { reason: 'no-birth' }, rebirth: true });
  });

  it('refuses a DBIRTH beyond maxDevicesPerNode', () => {
    const state = new HostState({ maxNodes: 1, maxDevicesPerNode: 1 });
    state.accept(node('NBIRTH'), payload(0, [bdSeq(1)]));
    expect(state.accept(device('DBIRTH', 'a'), payload(1, [temp(1, true)])).refused).toBeUndefined();
    expect(state.accept(device('DBIRTH', 'b'), payload(2, [temp(1, true)]))).toMatchObject({ refused: { reason: 'too-many-devices' } });
  });

  it('refuses a payload without seq or timestamp as malformed', () => {
    expect(born().accept(device('DDATA'), { timestamp: '1', metrics: [temp(1)] })).toMatchObject({ refused: { reason: 'malformed' } });
    expect(born().accept(device('DDATA'), { seq: '2', metrics: [temp(1)] })).toMatchObject({ refused: { reason: 'malformed' } });
    expect(born().accept(node('NDEATH'), {})).toMatchObject({ refused: { reason: 'malformed' } });
  });

  it('keeps a metric called __proto__ as a metric', () => {
    const state = new HostState(LIMITS);
    state.accept(node('NBIRTH'), payload(0, [bdSeq(1), { name: '__proto__', alias: '2', datatype: DataType.Boolean, boolean_value: true }]));
    const plan = state.accept(node('NDATA'), payload(1, [{ alias: '2', datatype: DataType.Boolean, boolean_value: false }]));
    expect(Object.entries(plan.readings[0]?.values ?? {})).toEqual([['__proto__', { value: false }]]);
  });
});
