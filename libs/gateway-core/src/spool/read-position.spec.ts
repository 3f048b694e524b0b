import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReadPosition, saveReadPosition } from './read-position';

describe(saveReadPosition.name, () => {
  it('saves a position that a later load finds, and a fresh directory has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-position-'));
    expect(await loadReadPosition(dir)).toBeUndefined();
    await saveReadPosition(dir, { segment: 3, offset: 120 });
    expect(await loadReadPosition(dir)).toEqual({ segment: 3, offset: 120 });
  });
});
