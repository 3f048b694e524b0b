import { type Command } from '@fieldlink/schemas';
import { CommandsElsewhere } from './commands-elsewhere';

const command = (deviceId: string, id: string): Command => ({ schemaVersion: 1, id, deviceId, action: 'x' });

describe(CommandsElsewhere.name, () => {
  it('gives a device its waiting commands once, in the order read, and none older than maxAgeMs', () => {
    const elsewhere = new CommandsElsewhere({ max: 100, maxBytes: 1_000_000, maxAgeMs: 1000 });
    elsewhere.add(command('a', '1'), 0);
    elsewhere.add(command('b', '2'), 100);
    elsewhere.add(command('a', '3'), 500);
    expect(elsewhere.take('a', 1200).map((w) => w.command.id)).toEqual(['3']);
    expect(elsewhere.take('a', 1200)).toEqual([]);
    expect(elsewhere.size).toBe(1);
  });

  it('keeps at most max commands and maxBytes of them, dropping the oldest', () => {
    const elsewhere = new CommandsElsewhere({ max: 2, maxBytes: 1_000_000, maxAgeMs: 60_000 });
    for (const id of ['1', '2', '3']) elsewhere.add(command('a', id), 0);
    expect(elsewhere.take('a', 0).map((w) => w.command.id)).toEqual(['2', '3']);
    const small = new CommandsElsewhere({ max: 100, maxBytes: 2 * JSON.stringify(command('a', '1')).length, maxAgeMs: 60_000 });
    for (const id of ['1', '2', '3']) small.add(command('a', id), 0);
    expect(small.take('a', 0).map((w) => w.command.id)).toEqual(['2', '3']);
  });
});
