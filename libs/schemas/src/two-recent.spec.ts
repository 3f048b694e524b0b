import { TwoRecent } from './two-recent';

describe('TwoRecent', () => {
  it('computes each of two alternating keys once', () => {
    const computed: number[] = [];
    const recent = new TwoRecent((key: number) => {
      computed.push(key);
      return key * 2;
    });
    for (let i = 0; i < 5; i++) {
      expect(recent.get(1)).toBe(2);
      expect(recent.get(7)).toBe(14);
    }
    expect(computed).toEqual([1, 7]);
  });

  it('forgets the key asked for least recently, not the one just used', () => {
    const computed: number[] = [];
    const recent = new TwoRecent((key: number) => {
      computed.push(key);
      return key;
    });
    recent.get(1);
    recent.get(2);
    recent.get(1);
    recent.get(3); // replaces 2
    recent.get(1);
    expect(computed).toEqual([1, 2, 3]);
  });
});
