import { type DeliveryOutcome } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { type DdsConfig } from '../config/dds-gateway.config';
import { type DdsParticipant } from '../session/participant';
import { DdsErrorCode } from '../errors';

type CommandsConfig = DdsConfig['commands'];

/**
 * Writes a command as one sample of the command type and waits for the DataWriter's
 * acknowledgement: `delivered` once every matched reliable reader has it. A reader that has not
 * matched would never see it, so with none the command fails instead of counting as sent.
 */
export async function deliverCommand(participant: DdsParticipant, commands: CommandsConfig, command: Command): Promise<DeliveryOutcome> {
  if (!commands.enabled) return { status: 'failed', code: DdsErrorCode.CommandsDisabled, message: 'dds.commands.enabled is false' };
  const readers = await participant.exclusive(() => participant.matchedReaders(commands.writer));
  if (readers === 0) return { status: 'failed', code: DdsErrorCode.NoReader, message: `no DataReader of topic ${commands.topic} has matched the command writer` };
  const sample = nested({
    [commands.fields.deviceId]: command.deviceId,
    [commands.fields.commandId]: command.id,
    [commands.fields.action]: command.action,
    [commands.fields.args]: JSON.stringify(command.args ?? {}),
  });
  let outcome: 'acknowledged' | 'timeout';
  try {
    outcome = await participant.writeAndWait(commands.writer, sample, commands.ackTimeoutMs);
  } catch (error) {
    return { status: 'failed', code: DdsErrorCode.WriteFailed, message: `the RTI Connector refused the command sample: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (outcome === 'timeout') return { status: 'failed', code: DdsErrorCode.NoAck, message: `${readers} matched reader(s) did not acknowledge within ${commands.ackTimeoutMs} ms` };
  return { status: 'delivered' };
}

/** {"a.b": 1} → {a: {b: 1}}: command fields may name members of nested structs. */
function nested(flat: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const steps = path.split('.');
    let node = root;
    for (const step of steps.slice(0, -1)) node = (node[step] ??= {}) as Record<string, unknown>;
    node[steps[steps.length - 1] ?? path] = value;
  }
  return root;
}
