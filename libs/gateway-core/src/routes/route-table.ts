import { ServiceError, ServiceErrorCode } from '@fieldlink/service';
import { type EncodedRoute } from '../ingest/inbound-message';
import { type RouteMatcher } from './route-matcher';
import { type RouteConfig } from './route.schema';

export interface RoutedMessage<R extends RouteConfig> {
  route: EncodedRoute;
  config: R;
  /** Undefined when the template names a capture this message lacks; the pipeline dead-letters it. */
  deviceId: string | undefined;
  labels: Record<string, string>;
}

interface CompiledRoute<N, R extends RouteConfig> {
  config: R;
  matcher: RouteMatcher<N>;
  route: EncodedRoute;
  /** Captures that make up the deviceId, which are not repeated as labels. */
  deviceIdNames: ReadonlySet<string>;
}

const NAME = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/**
 * Devices keep publishing on the same few topics, so a match is remembered per native key. The
 * table forgets everything when it holds this many: a flood of distinct keys costs no more than
 * matching without it.
 */
const REMEMBERED_MATCHES = 4096;

/**
 * The configured routes of one gateway, in order: the first whose matcher accepts a message
 * wins. Construction validates the table and names the bad config key.
 */
export class RouteTable<N, R extends RouteConfig = RouteConfig> {
  private readonly compiled: CompiledRoute<N, R>[];
  private readonly remembered = new Map<N, RoutedMessage<R> | null>();

  /** `configKey` and `matchField` name the config in errors, e.g. mappings and topic. */
  constructor(routes: readonly R[], matcherFor: (route: R) => RouteMatcher<N>, configKey = 'routes', matchField = 'match') {
    const seen = new Set<string>();
    this.compiled = routes.map((config, i) => {
      const key = `${configKey}.${i}`;
      if (seen.has(config.name)) throw invalid(`${key}.name`, `"${config.name}" is used by an earlier route; names label metrics, so they must differ`);
      seen.add(config.name);
      const matcher = withKey(key, () => matcherFor(config));
      const missing = [...config.deviceId.matchAll(NAME)].map((m) => m[1] ?? '').filter((name) => !matcher.names.includes(name));
      if (missing.length > 0 && !config.deviceIdField) {
        const names = `{${missing.join('}, {')}}`;
        throw invalid(`${key}.${matchField}`, `must capture ${names} for the deviceId template "${config.deviceId}" (or set ${key}.deviceId)`);
      }
      const deviceIdNames = new Set(['deviceId', ...[...config.deviceId.matchAll(NAME)].map((m) => m[1] ?? '')]);
      return { config, matcher, route: encodedRoute(config), deviceIdNames };
    });
  }

  get routes(): readonly R[] {
    return this.compiled.map((c) => c.config);
  }

  /** The first route that accepts `native`; the result is shared by every message with that key, so it is frozen. */
  match(native: N): RoutedMessage<R> | undefined {
    const known = this.remembered.get(native);
    if (known !== undefined) return known ?? undefined;
    const routed = this.matchFirst(native);
    if (this.remembered.size >= REMEMBERED_MATCHES) this.remembered.clear();
    this.remembered.set(native, routed ?? null);
    return routed;
  }

  private matchFirst(native: N): RoutedMessage<R> | undefined {
    for (const { config, matcher, route, deviceIdNames } of this.compiled) {
      const captures = matcher.match(native);
      if (!captures) continue;
      const labels = Object.fromEntries(Object.entries(captures).filter(([name]) => !deviceIdNames.has(name)));
      // With deviceIdField the pipeline reads the deviceId from the body.
      const deviceId = config.deviceIdField ? undefined : renderDeviceId(config.deviceId, captures);
      return Object.freeze({ route, config, deviceId, labels: Object.freeze({ ...config.labels, ...labels }) });
    }
    return undefined;
  }

  /** The route with this name, e.g. the one a device was last seen on. */
  byName(name: string): R | undefined {
    return this.compiled.find((c) => c.config.name === name)?.config;
  }
}

function renderDeviceId(template: string, captures: Record<string, string>): string | undefined {
  let complete = true;
  const id = template.replace(NAME, (_all, name: string) => {
    const value = captures[name];
    if (value === undefined || value === '') complete = false;
    return value ?? '';
  });
  return complete && id !== '' ? id : undefined;
}

function encodedRoute(config: RouteConfig): EncodedRoute {
  return {
    name: config.name,
    kind: config.kind,
    decoder: config.decoder,
    decodeOptions: {
      ...(config.timestampField ? { timestampField: config.timestampField } : {}),
      ...(config.timestampUnit ? { timestampUnit: config.timestampUnit } : {}),
      ...(config.valuesField ? { valuesField: config.valuesField } : {}),
      ...(config.metric ? { metric: config.metric } : {}),
      ...(config.deviceIdField ? { deviceIdField: config.deviceIdField } : {}),
    },
  };
}

function withKey<T>(key: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}": ${message}`, { cause: error });
  }
}

function invalid(key: string, why: string): ServiceError {
  return new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}": ${why}`);
}
