import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshName } from './names';

const V1_ROOT = '/sys/fs/cgroup/memory';
const V2_ROOTS = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];

/**
 * A memory cgroup of its own with a hard limit, as a container's: a process that outgrows it is
 * OOM-killed by the kernel, not by us. cgroup v1 (memory controller) or v2, whichever the machine
 * has; without either (not root, no cgroupfs) `create` fails, so a test that needs the limit
 * fails instead of passing without it.
 */
export class MemoryCgroup {
  private constructor(
    private readonly dir: string,
    private readonly v2: boolean,
    readonly limitBytes: number,
  ) {}

  static create(limitBytes: number): MemoryCgroup {
    const name = freshName('fieldlink-mem');
    if (existsSync(join(V1_ROOT, 'memory.limit_in_bytes'))) {
      const dir = join(V1_ROOT, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      // No swap to spill into, as in a pod (memsw exists only with swap accounting).
      if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes));
      return new MemoryCgroup(dir, false, limitBytes);
    }
    const root = V2_ROOTS.find((r) => existsSync(join(r, 'cgroup.controllers')) && readFileSync(join(r, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory'));
    if (!root) throw new Error('no memory cgroup controller here (cgroup v1 memory or v2 with memory); this test needs root and cgroupfs');
    writeFileSync(join(root, 'cgroup.subtree_control'), '+memory');
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.max'), String(limitBytes));
    writeFileSync(join(dir, 'memory.swap.max'), '0');
    return new MemoryCgroup(dir, true, limitBytes);
  }

  /** The command line that runs `command` inside the cgroup from its first instruction (same pid: sh execs it). */
  wrap(command: string, args: string[]): [string, string[]] {
    return ['sh', ['-c', `echo $$ > ${join(this.dir, 'cgroup.procs')} && exec "$0" "$@"`, command, ...args]];
  }

  /** The most memory the cgroup's processes used at once (RSS and page cache charged to it). */
  get peakBytes(): number {
    return Number(readFileSync(join(this.dir, this.v2 ? 'memory.peak' : 'memory.max_usage_in_bytes'), 'utf8').trim());
  }

  /** How many processes the kernel killed for outgrowing the limit. */
  get oomKills(): number {
    const file = readFileSync(join(this.dir, this.v2 ? 'memory.events' : 'memory.oom_control'), 'utf8');
    return Number(/^oom_kill (\d+)$/m.exec(file)?.[1] ?? 0);
  }

  /** Removes the cgroup; call once its processes have exited. */
  dispose(): void {
    try {
      rmdirSync(this.dir);
    } catch {
      // A process is still in it, or it is gone already; an empty cgroup left behind holds no memory.
    }
  }
}
