import { mkdtempSync, writeFileSync } from 'node:fs';
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

describe(loadReadPosition.name, () => {
  it('treats a position file that is torn, not JSON or not a position as absent instead of failing the spool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-position-'));
    for (const text of ['{"segment":3,"off', 'garbage', '{"segment":-1,"offset":0}', 'null']) {
      writeFileSync(join(dir, 'read-position.json'), text);
      expect(await loadReadPosition(dir)).toBeUndefined();
    }
  });
});
