import { readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';

export type TokenCheck = 'ok' | 'missing_token' | 'unknown_device' | 'wrong_token';

/**
 * Checks a token against every device's: for a body that names its device, before it is buffered.
 * A symbol, so that no deviceId from the network can ever stand for it.
 */
export const ANY_DEVICE: unique symbol = Symbol('any device');
export type AnyDevice = typeof ANY_DEVICE;

/**
 * Per-device pre-shared tokens from a file of `<deviceId> <token>` lines (`#` starts a
 * comment). The tokens live in their own file so they never sit in the YAML or a ConfigMap.
 */
export class DeviceTokens {
  /** Every device's token digest, hex: whether a token is some device's. */
  private readonly anyDigests: Set<string>;

  private constructor(private readonly digests: Map<string, Buffer>) {
    this.anyDigests = new Set([...digests.values()].map((d) => d.toString('hex')));
  }

  get size(): number {
    return this.digests.size;
  }

  static load(path: string): DeviceTokens {
    const digests = new Map<string, Buffer>();
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((raw, index) => {
        const line = raw.replace(/#.*/, '').trim();
        if (line === '') return;
        const [deviceId, token, extra] = line.split(/\s+/);
        if (!deviceId || !token || extra !== undefined) throw new Error(`${path}:${index + 1}: expected "<deviceId> <token>"`);
        if (digests.has(deviceId)) throw new Error(`${path}:${index + 1}: device "${deviceId}" is listed twice`);
        digests.set(deviceId, digest(token));
      });
    return new DeviceTokens(digests);
  }

  check(deviceId: string | AnyDevice | undefined, token: string | undefined): TokenCheck {
    if (token === undefined || token === '') return 'missing_token';
    // A set lookup of the digest: its timing tells nothing about the token itself.
    if (deviceId === ANY_DEVICE) return this.anyDigests.has(digest(token).toString('hex')) ? 'ok' : 'wrong_token';
    const expected = deviceId === undefined ? undefined : this.digests.get(deviceId);
    if (!expected) return 'unknown_device';
    // Digests have equal length, so the comparison takes the same time whatever the token.
    return timingSafeEqual(expected, digest(token)) ? 'ok' : 'wrong_token';
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
