import pino from 'pino';
import { SESSION_TAKEN_OVER, SessionTakeoverDetector } from './session-takeover';

function detector() {
  const counted: number[] = [];
  const found = new SessionTakeoverDetector('fieldlink-a', () => counted.push(1), pino({ level: 'silent' }));
  return { found, counted };
}

describe(SessionTakeoverDetector.name, () => {
  it('reports a takeover at once when an MQTT 5 broker says so, and only once for its close', () => {
    const { found, counted } = detector();
    found.connected(0);
    found.disconnectedBy(SESSION_TAKEN_OVER);
    found.closed(100);
    expect(counted).toHaveLength(1);
  });

  it('ignores other DISCONNECT reasons', () => {
    const { found, counted } = detector();
    found.connected(0);
    found.disconnectedBy(0x8d); // keep alive timeout
    found.closed(100);
    expect(counted).toHaveLength(0);
  });

  it('reports three drops in a row right after connecting, as an MQTT 3.1.1 broker shows a takeover', () => {
    const { found, counted } = detector();
    for (let i = 0; i < 3; i++) {
      found.connected(i * 10_000);
      found.closed(i * 10_000 + 500);
    }
    expect(counted).toHaveLength(1);
  });

  it('does not count a connection that lived a while before it closed', () => {
    const { found, counted } = detector();
    found.connected(0);
    found.closed(500);
    found.connected(1000);
    found.closed(1500);
    found.connected(2000);
    found.closed(60_000);
    found.connected(61_000);
    found.closed(61_500);
    expect(counted).toHaveLength(0);
  });
});
