import { sampleId } from './sample-id';

const writer = '01106bbd250d132cf311038700000202';

describe('sampleId', () => {
  it('derives the same id from the same writer and sequence number, and another from another', () => {
    const a = sampleId(writer, 42);
    expect(a).toMatch(/^dds-[0-9a-f]{32}$/);
    expect(sampleId(writer, 42)).toBe(a);
    expect(sampleId(writer, 43)).not.toBe(a);
    expect(sampleId(`${writer.slice(0, 30)}03`, 42)).not.toBe(a);
  });

  it('derives none without a sequence number or a writer', () => {
    expect(sampleId(writer, -1)).toBeUndefined();
    expect(sampleId('', 42)).toBeUndefined();
  });
});
