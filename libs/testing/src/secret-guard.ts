import { StringDecoder } from 'node:string_decoder';

const MASK = '***';
/** Shorter strings turn up in honest log lines (a user name such as "fieldlink", a port). */
const MIN_LENGTH = 6;

/** One stream of a process's output, split into lines for a SecretGuard. */
export interface GuardedStream {
  write(chunk: Buffer | string): void;
  /** Checks the last line, which ends without a newline when the process dies mid-line. */
  end(): void;
}

/**
 * Watches a process's output for secrets it must never print: each secret as written, JSON-escaped
 * (as a JSON log line would hold it) and URI-encoded (as a URL would). Lines are checked whole as
 * they complete, so a secret split between two chunks is still found, and the last line when its
 * stream ends, so a line printed at shutdown is seen too. Leaks are reported with every secret masked.
 */
export class SecretGuard {
  private readonly forms: string[];
  private readonly found: string[] = [];
  private reported = 0;

  constructor(
    readonly name: string,
    private readonly secrets: readonly string[],
  ) {
    const short = secrets.filter((s) => s.length < MIN_LENGTH);
    if (short.length > 0) throw new Error(`${name}: a secret to look for needs at least ${MIN_LENGTH} characters (got ${short.length} shorter); use a distinctive test value`);
    const forms = secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]);
    // Longest first, so masking a secret never leaves part of a longer one behind.
    this.forms = [...new Set(forms)].sort((a, b) => b.length - a.length);
  }

  get guarding(): boolean {
    return this.secrets.length > 0;
  }

  /** Every line so far that held a secret, masked. */
  get leaks(): readonly string[] {
    return this.found;
  }

  stream(): GuardedStream {
    // A chunk may end inside a multi-byte character; the decoder keeps its first bytes for the next.
    const decoder = new StringDecoder('utf8');
    let partial = '';
    return {
      write: (chunk) => {
        const lines = (partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk))).split('\n');
        partial = lines.pop() ?? '';
        lines.forEach((line) => this.check(line));
      },
      end: () => {
        partial += decoder.end();
        if (partial !== '') this.check(partial);
        partial = '';
      },
    };
  }

  check(line: string): void {
    if (this.forms.some((form) => line.includes(form))) this.found.push(this.mask(line));
  }

  /** Throws once for the leaks not yet reported, naming each line with its secrets masked. */
  assertClean(): void {
    const fresh = this.found.slice(this.reported);
    this.reported = this.found.length;
    if (fresh.length === 0) return;
    const shown = fresh.slice(0, 10).map((line) => `  ${line.slice(0, 1000)}`);
    const more = fresh.length > shown.length ? [`  … and ${fresh.length - shown.length} more`] : [];
    throw new Error([`${this.name} printed a secret it was given to keep (${fresh.length} line${fresh.length === 1 ? '' : 's'}, secrets shown as ${MASK}):`, ...shown, ...more].join('\n'));
  }

  private mask(line: string): string {
    return this.forms.reduce((masked, form) => masked.split(form).join(MASK), line);
  }
}

// One set per test file: Jest gives each file its own copy of this module.
const guards = new Set<SecretGuard>();

/** A guard for one service's output, remembered for assertNoSecretsLogged. */
export function watchForSecrets(name: string, secrets: readonly string[]): SecretGuard {
  const guard = new SecretGuard(name, secrets);
  if (guard.guarding) guards.add(guard);
  return guard;
}

/**
 * Fails for every line holding a secret that a guarded service printed and nothing reported yet.
 * The apps' jest.setup.ts call it after each test and after all, which catches a service a test
 * left running; ServiceProcess's stop, kill and waitExit check on their own once the output is closed.
 */
export function assertNoSecretsLogged(): void {
  const failures: string[] = [];
  for (const guard of guards) {
    try {
      guard.assertClean();
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (failures.length > 0) throw new Error(failures.join('\n\n'));
}
