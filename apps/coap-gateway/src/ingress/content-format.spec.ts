import { contentFormatOf, decoderFor, describeFormat } from './content-format';

describe('CoAP Content-Format', () => {
  it('maps the supported formats, named or numeric, to their decoders, and none to JSON', () => {
    expect(['text/plain', 'application/json', 'application/cbor', 'application/senml+json', 'application/senml+cbor'].map(decoderFor)).toEqual(['text', 'json', 'cbor', 'senml', 'senml-cbor']);
    expect([Buffer.alloc(0), Buffer.from([50]), 60, Buffer.from([112])].map(decoderFor)).toEqual(['text', 'json', 'cbor', 'senml-cbor']);
    expect(decoderFor(undefined)).toBe('json');
    expect(decoderFor('text/plain;charset=utf-8')).toBe('text');
  });

  it('has no decoder for anything else, and says what was sent', () => {
    expect(decoderFor('application/xml')).toBeUndefined();
    expect(decoderFor(Buffer.from([0x27, 0x10]))).toBeUndefined();
    expect(describeFormat(Buffer.from([0x27, 0x10]))).toBe('10000');
    expect(describeFormat('application/xml')).toBe('application/xml');
  });

  it('reads the option from raw request options', () => {
    expect(contentFormatOf([{ name: 'Uri-Path', value: Buffer.from('x') }, { name: 'Content-Format', value: 'application/json' }])).toBe('application/json');
    expect(contentFormatOf([])).toBeUndefined();
  });
});
