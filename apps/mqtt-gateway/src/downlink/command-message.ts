import { type Command } from '@fieldlink/schemas';

/** The JSON a device receives on its command topic. */
export function commandMessage(command: Command): string {
  return JSON.stringify({
    id: command.id,
    action: command.action,
    args: command.args ?? {},
    ...(command.expiresAt ? { expiresAt: command.expiresAt } : {}),
  });
}
