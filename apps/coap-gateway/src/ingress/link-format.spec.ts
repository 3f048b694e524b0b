import { type CoapRoute } from '../config/coap-gateway.config';
import { wellKnownCore } from './link-format';

const route = (name: string, path: string): CoapRoute => ({ name, path, kind: 'telemetry', decoder: 'json', deviceId: '{deviceId}' });

describe(wellKnownCore.name, () => {
  it('lists each route once, as a URI cut before its first capture, with rt, ct and the template, and the observable command resource', () => {
    const links = wellKnownCore([route('a', 'sensors/{deviceId}'), route('b', 'sensors'), route('c', 'plant/{site}/{deviceId}')], 'commands/{deviceId}');
    expect(links.split(',')).toEqual([
      '</sensors>;rt="fieldlink.telemetry";ct="0 50 60 110 112";title="POST readings to /sensors/{deviceId}"',
      '</plant>;rt="fieldlink.telemetry";ct="0 50 60 110 112";title="POST readings to /plant/{site}/{deviceId}"',
      '</commands>;rt="fieldlink.commands";ct=50;obs;title="observe /commands/{deviceId} for commands"',
    ]);
  });
});
