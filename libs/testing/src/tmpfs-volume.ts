import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './processes';

/**
 * A real filesystem of a fixed size, as a small persistent volume is: a tmpfs mounted on a fresh
 * directory. It fills with ENOSPC like any disk. Needs root (mount); without it `mount` fails, so
 * a test that needs a full disk fails instead of passing on an unbounded one.
 */
export class TmpfsVolume {
  private constructor(readonly dir: string) {}

  static async mount(bytes: number): Promise<TmpfsVolume> {
    const dir = mkdtempSync(join(tmpdir(), 'fieldlink-volume-'));
    const result = await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir]);
    if (result.code !== 0) throw new Error(`could not mount a ${bytes}-byte tmpfs on ${dir} (this test needs root): ${result.stderr}`);
    return new TmpfsVolume(dir);
  }

  async dispose(): Promise<void> {
    await run('umount', ['-l', this.dir]);
    rmdirSync(this.dir);
  }
}
