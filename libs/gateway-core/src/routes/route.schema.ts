import { type Static, Type } from '@sinclair/typebox';
import { DECODER_NAMES } from '@fieldlink/schemas';

/** Where a route's commands go and what the device receives; see CommandTemplate. */
export const RouteCommandSchema = Type.Object(
  {
    payload: Type.Optional(
      Type.Unknown({
        description:
          'JSON the device receives, with "{id}", "{deviceId}", "{action}", "{args}", "{args.<name>}", "{createdAt}" or "{expiresAt}" as whole string values, and "...": "{args}" to merge the args in; default {"id": "{id}", "action": "{action}", "args": "{args}", "expiresAt": "{expiresAt}"}',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The command actions a route's devices accept; see CommandDispatcher. */
export const RouteActionsSchema = Type.Array(Type.String({ minLength: 1 }), {
  minItems: 1,
  uniqueItems: true,
  description: 'Command actions this route\'s devices accept; any other gets failed FL_COMMAND_ACTION_NOT_ALLOWED and is not sent. Default: every action',
});

/** What every route has, whatever the protocol; each gateway adds how its messages match (and may widen `command`). */
export const RouteFields = {
  name: Type.String({ minLength: 1, description: 'Labels metrics and the envelope source' }),
  kind: Type.Union([Type.Literal('telemetry'), Type.Literal('status')], { default: 'telemetry', description: 'telemetry: readings to the telemetry topic; status: device status to device-status' }),
  decoder: Type.Union(
    DECODER_NAMES.map((n) => Type.Literal(n)),
    { default: 'json', description: 'For payload bytes: json, senml, number, cbor (CoAP 60), senml-cbor (112) or text (0)' },
  ),
  deviceId: Type.String({
    minLength: 1,
    default: '{deviceId}',
    description: 'Where the deviceId comes from: a template over the names the match captures, e.g. {deviceId} or {site}-{id}, or a fixed id',
  }),
  deviceIdField: Type.Optional(
    Type.String({ minLength: 1, description: 'json and cbor: a top-level body field holding the deviceId, e.g. device_id; it then wins over the deviceId template and is not a metric' }),
  ),
  labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Fixed labels added to every envelope, beside the captured ones' })),
  timestampField: Type.Optional(Type.String({ description: 'json and cbor decoders: field holding the event time' })),
  timestampUnit: Type.Optional(
    Type.Union([Type.Literal('s'), Type.Literal('ms'), Type.Literal('auto')], {
      description: 'How an epoch number in timestampField is read: s (e.g. Python time.time()), ms (the default) or auto (seconds below 1e11)',
    }),
  ),
  valuesField: Type.Optional(
    Type.String({ minLength: 1, description: 'json and cbor decoders: the field whose object holds the metrics; other top-level fields are not metrics' }),
  ),
  metric: Type.Optional(Type.String({ description: 'number and text decoders: metric name' })),
  command: Type.Optional(RouteCommandSchema),
  actions: Type.Optional(RouteActionsSchema),
};

export const RouteObject = Type.Object(RouteFields);

/** Route name → its `actions`, for the routes that restrict them (GatewayCoreOptions.commandActions). */
export function routeActions(routes: readonly { name: string; actions?: readonly string[] | undefined }[]): ReadonlyMap<string, readonly string[]> {
  return new Map(routes.flatMap((r) => (r.actions ? [[r.name, r.actions] as const] : [])));
}
export type RouteConfig = Static<typeof RouteObject>;
