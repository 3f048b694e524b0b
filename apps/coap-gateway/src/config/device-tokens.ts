import { readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';

export type TokenCheck = 'ok' | 'missing_token' | 'unknown_device' | 'wrong_token';

/**
 * Per-device pre-shared tokens from a file of `<deviceId> <token>` lines (`#` starts a
 * comment). The tokens live in their own file so they never sit in the YAML or a ConfigMap.
 */
export class DeviceTokens {
  private constructor(private readonly digests: Map<string, Buffer>) {}

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

  check(deviceId: string | undefined, token: string | undefined): TokenCheck {
    if (token === undefined || token === '') return 'missing_token';
    const expected = deviceId === undefined ? undefined : this.digests.get(deviceId);
    if (!expected) return 'unknown_device';
    // Digests have equal length, so the comparison takes the same time whatever the token.
    return timingSafeEqual(expected, digest(token)) ? 'ok' : 'wrong_token';
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
