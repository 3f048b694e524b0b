import { type RouteMatcher } from '@fieldlink/gateway-core';
import { ServiceError, ServiceErrorCode } from '@fieldlink/service';

/**
 * A URI path template such as `sensors/{deviceId}` (CoAP Uri-Path options, RFC 7252 §6.4):
 * each `{name}` captures one whole segment, everything else must match exactly.
 */
export class UriPathPattern implements RouteMatcher<string> {
  private readonly segments: string[];

  constructor(readonly template: string) {
    this.segments = split(template);
    for (const segment of this.segments) {
      if (/[{}]/.test(segment) && !/^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(segment)) {
        throw new ServiceError(ServiceErrorCode.ConfigInvalid, `path pattern "${template}": segment "${segment}" must be exactly {name}`);
      }
    }
  }

  get names(): string[] {
    return this.segments.filter((s) => s.startsWith('{')).map((s) => s.slice(1, -1));
  }

  /** The captures for a request path (with or without a leading slash), or undefined. */
  match(path: string): Record<string, string> | undefined {
    const parts = split(path);
    if (parts.length !== this.segments.length) return undefined;
    const captures: Record<string, string> = {};
    for (const [i, segment] of this.segments.entries()) {
      const part = parts[i] ?? '';
      if (segment.startsWith('{')) {
        if (part === '') return undefined;
        captures[segment.slice(1, -1)] = decodeURIComponent(part);
      } else if (segment !== part) return undefined;
    }
    return captures;
  }
}

function split(path: string): string[] {
  return path.replace(/^\/+/, '').replace(/\?.*$/, '').split('/');
}
