import { redactUrl } from './redact-url';

describe(redactUrl.name, () => {
  it.each([
    ['mqtt://gateway:pa55word@broker.example:1883', 'mqtt://***@broker.example:1883'],
    ['mqtts://gateway@broker.example:8883', 'mqtts://***@broker.example:8883'],
    ['opc.tcp://operator:s3cret@plc-1:4840/ua', 'opc.tcp://***@plc-1:4840/ua'],
    // An unescaped "@" in the password: everything up to the last one is user information.
    ['mqtt://gateway:p@ss@broker:1883', 'mqtt://***@broker:1883'],
    ['mqtt://u:p@broker:1883/?clean=true', 'mqtt://***@broker:1883/?clean=***'],
  ])('hides the user information of %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it('hides every query value and a fragment, keeping the parameter names and the path', () => {
    expect(redactUrl('/sensors/pump-1?token=s3cret&unit=C')).toBe('/sensors/pump-1?token=***&unit=***');
    expect(redactUrl('sensors?s3cret')).toBe('sensors?***');
    expect(redactUrl('https://h/p?a=1#frag')).toBe('https://h/p?a=***#***');
    expect(redactUrl('https://h/p#frag')).toBe('https://h/p#***');
  });

  it('leaves what carries no credentials as it is', () => {
    for (const url of ['mqtt://127.0.0.1:1883', 'opc.tcp://plc-1:4840/ua', 'kafka-0.kafka:9094', '/sensors/pump-1', '', 'mqtt://[::1]:1883'])
      expect(redactUrl(url)).toBe(url);
  });
});
