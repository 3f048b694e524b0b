import { type Command, type CommandResult } from '@fieldlink/schemas';
import { readTopic, produce } from './kcat';
import { freshName } from './names';
import { waitFor } from './wait-for';

/** A gateway under test as the command helpers see it: its brokers and its topic names. */
export interface TopicsUnderTest {
  brokers: string;
  topic(name: string): string;
}

/** A command envelope with a fresh id. */
export function command(deviceId: string, action: string, extra: Partial<Command> = {}): Command {
  return { schemaVersion: 1, id: freshName('cmd'), deviceId, action, ...extra };
}

/** The command results for `commandId`, read with kcat. */
export async function resultsFor(g: TopicsUnderTest, commandId: string): Promise<CommandResult[]> {
  return (await readTopic(g.brokers, g.topic('command-results'))).map((r) => JSON.parse(r.payload ?? '') as CommandResult).filter((r) => r.id === commandId);
}

/**
 * Every result of a command, read once a later command for the same device (same partition,
 * so handled after it) has its own result: a second result of the first would be in by then.
 */
export async function settledResults(g: TopicsUnderTest, sent: Command, timeoutMs = 60_000): Promise<CommandResult[]> {
  await waitFor(`a result for ${sent.id}`, async () => (await resultsFor(g, sent.id)).length > 0, { timeoutMs });
  const marker = command(sent.deviceId, 'marker');
  await produce(g.brokers, g.topic('commands'), sent.deviceId, JSON.stringify(marker));
  await waitFor(`a result for the marker after ${sent.id}`, async () => (await resultsFor(g, marker.id)).length > 0, { timeoutMs });
  return resultsFor(g, sent.id);
}
