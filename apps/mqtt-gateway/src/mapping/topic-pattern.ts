import { type RouteMatcher } from '@fieldlink/gateway-core';
import { ServiceError, ServiceErrorCode } from '@fieldlink/service';

/**
 * A topic template such as `plant/{site}/{deviceId}/telemetry`. Each `{name}`
 * fills one whole level and becomes a `+` in the subscription filter; a bare
 * `+` or a trailing `#` match without capturing.
 */
export class TopicPattern implements RouteMatcher<string> {
  readonly filter: string;
  private readonly levels: string[];

  constructor(readonly template: string) {
    this.levels = template.split('/');
    this.levels.forEach((level, i) => {
      const named = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.test(level);
      if (!named && /[{}]/.test(level)) throw invalid(template, `level "${level}" must be exactly {name}`);
      if (level.includes('#') && (level !== '#' || i !== this.levels.length - 1)) {
        throw invalid(template, '"#" may only be the last level [MQTT-4.7.1-2]');
      }
      if (level.includes('+') && level !== '+') throw invalid(template, '"+" must fill a whole level [MQTT-4.7.1-3]');
    });
    this.filter = this.levels.map((l) => (l.startsWith('{') ? '+' : l)).join('/');
  }

  get names(): string[] {
    return this.levels.filter((l) => l.startsWith('{')).map((l) => l.slice(1, -1));
  }

  /** The captures for a concrete topic, or undefined when it does not match. */
  match(topic: string): Record<string, string> | undefined {
    const parts = topic.split('/');
    const captures: Record<string, string> = {};
    for (let i = 0; i < this.levels.length; i++) {
      const level = this.levels[i];
      if (level === '#') return captures;
      const part = parts[i];
      if (part === undefined) return undefined;
      if (level === '+') continue;
      if (level.startsWith('{')) {
        if (part === '') return undefined;
        captures[level.slice(1, -1)] = part;
      } else if (level !== part) return undefined;
    }
    return parts.length === this.levels.length ? captures : undefined;
  }

  /** Fills the template, e.g. commands/{deviceId} → commands/pump-7. */
  render(values: Record<string, string>): string {
    return this.levels
      .map((level) => {
        if (!level.startsWith('{')) return level;
        const value = values[level.slice(1, -1)];
        if (value === undefined || value === '' || /[+#/]/.test(value)) {
          throw new Error(`cannot put ${JSON.stringify(value)} into ${level} of ${this.template}: it must be one topic level`);
        }
        return value;
      })
      .join('/');
  }
}

function invalid(template: string, why: string): ServiceError {
  return new ServiceError(ServiceErrorCode.ConfigInvalid, `topic pattern "${template}": ${why}`);
}
