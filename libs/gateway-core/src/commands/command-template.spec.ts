import { type Command } from '@fieldlink/schemas';
import { DEFAULT_COMMAND_TEMPLATE, renderCommand } from './command-template';

const command = (over: Partial<Command> = {}): Command => ({ schemaVersion: 1, id: 'c-1', deviceId: 'pump-7', action: 'reboot', ...over });

describe(renderCommand.name, () => {
  it('renders the seed edge client form: {"type": ...} with the args merged in', () => {
    const template = { type: '{action}', '...': '{args}' };
    expect(renderCommand(template, command())).toBe('{"type":"reboot"}');
    expect(renderCommand(template, command({ action: 'update_config', args: { config: { rate: 5 } } }))).toBe('{"type":"update_config","config":{"rate":5}}');
  });

  it('keeps the old payload by default, and leaves out a placeholder with no value', () => {
    expect(JSON.parse(renderCommand(DEFAULT_COMMAND_TEMPLATE, command()))).toEqual({ id: 'c-1', action: 'reboot', args: {} });
    expect(JSON.parse(renderCommand(DEFAULT_COMMAND_TEMPLATE, command({ expiresAt: '2026-01-01T00:00:00.000Z' })))).toMatchObject({ expiresAt: '2026-01-01T00:00:00.000Z' });
  });

  it('puts one arg where the template says, of its own JSON type, and copies literals', () => {
    const template = { cmd: '{action}', level: '{args.level}', fixed: 'v2', list: ['{deviceId}', 3], note: 'not {action} here' };
    expect(JSON.parse(renderCommand(template, command({ args: { level: 3 } })))).toEqual({ cmd: 'reboot', level: 3, fixed: 'v2', list: ['pump-7', 3], note: 'not {action} here' });
  });

  it('never lets an arg named __proto__ or a template key change the prototype', () => {
    const rendered = JSON.parse(renderCommand({ '...': '{args}', __proto__x: '{args.__proto__}' }, command({ args: JSON.parse('{"__proto__":{"polluted":1}}') as Record<string, unknown> }))) as Record<string, unknown>;
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    expect(Object.keys(rendered)).toContain('__proto__');
  });
});
