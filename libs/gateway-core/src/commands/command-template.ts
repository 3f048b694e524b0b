import { type Command } from '@fieldlink/schemas';

/** The payload a device gets when its route names none: the command itself. */
export const DEFAULT_COMMAND_TEMPLATE = { id: '{id}', action: '{action}', args: '{args}', expiresAt: '{expiresAt}' };

const PLACEHOLDER = /^\{([A-Za-z]+(?:\.[A-Za-z0-9_-]+)?)\}$/;
const SPREAD = '...';

/**
 * Renders a route's command template, so existing firmware keeps its own command format.
 * A string value that is exactly a placeholder ("{action}", "{args.config}") becomes that
 * value, of whatever JSON type; a placeholder with no value drops its key; `"...": "{args}"`
 * merges the args into the object. Everything else is copied as it is.
 * `{"type": "{action}", "...": "{args}"}` turns reboot into {"type":"reboot"}.
 */
export function renderCommand(template: unknown, command: Command): string {
  return JSON.stringify(render(template, command) ?? {});
}

function render(node: unknown, command: Command): unknown {
  if (typeof node === 'string') {
    const name = PLACEHOLDER.exec(node)?.[1];
    return name === undefined ? node : lookup(name, command);
  }
  if (Array.isArray(node)) return node.map((item) => render(item, command)).filter((item) => item !== undefined);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const rendered = render(value, command);
    if (key === SPREAD) {
      if (rendered && typeof rendered === 'object' && !Array.isArray(rendered)) for (const [k, v] of Object.entries(rendered)) setOwn(out, k, v);
    } else if (rendered !== undefined) {
      setOwn(out, key, rendered);
    }
  }
  return out;
}

// defineProperty, not assignment: a key "__proto__" from the args must stay a plain key.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function lookup(name: string, command: Command): unknown {
  const [head, field] = name.split('.');
  const args = command.args ?? {};
  switch (head) {
    case 'id':
    case 'deviceId':
    case 'action':
    case 'createdAt':
    case 'expiresAt':
      return field === undefined ? command[head] : undefined;
    case 'args':
      return field === undefined ? args : Object.prototype.hasOwnProperty.call(args, field) ? args[field] : undefined;
    default:
      return undefined;
  }
}
