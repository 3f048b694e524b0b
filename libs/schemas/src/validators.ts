import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import {
  type Command,
  type CommandResult,
  CommandResultSchema,
  CommandSchema,
  type DeadLetter,
  DeadLetterSchema,
  type DeviceStatus,
  DeviceStatusSchema,
  type Telemetry,
  TelemetrySchema,
  type Alert,
  type DeviceRecord,
  DeviceRecordSchema,
  AlertSchema,
  type WindowStatsRecord,
  WindowStatsSchema,
} from './envelope.schema';
import { openSchema } from './compatibility';
import { isDateTime } from './date-time';
import { TwoRecent } from './two-recent';
import { SchemaError, SchemaErrorCode } from './errors';

const ajv = new Ajv({ allErrors: false, strict: true, coerceTypes: false });
// ajv-formats' date-time check (regexes) cost the stream processor about 9% of its CPU. The last
// two are remembered: envelopes of one millisecond share their receive time, and an envelope's
// event time comes between them.
const dateTimes = new TwoRecent<string, boolean>(isDateTime);
ajv.addFormat('date-time', { type: 'string', validate: (text: string) => dateTimes.get(text) });

/** A validator compiled once at module load. */
export interface Validator<T> {
  (value: unknown): value is T;
  /** Returns the value typed, or throws a SchemaError naming the first offending path. */
  assert(value: unknown): T;
}

function compile<T>(schema: object): Validator<T> {
  const fn: ValidateFunction<T> = ajv.compile<T>(schema);
  const check = ((value: unknown): value is T => fn(value)) as Validator<T>;
  check.assert = (value: unknown): T => {
    if (fn(value)) return value;
    throw new SchemaError(SchemaErrorCode.InvalidEnvelope, describeErrors(fn.errors));
  };
  return check;
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'invalid';
  return `${first.instancePath || '/'} ${first.message ?? 'is invalid'}`;
}

export const validateTelemetry = compile<Telemetry>(TelemetrySchema);
export const validateDeviceStatus = compile<DeviceStatus>(DeviceStatusSchema);
export const validateDeadLetter = compile<DeadLetter>(DeadLetterSchema);
export const validateCommand = compile<Command>(CommandSchema);
export const validateCommandResult = compile<CommandResult>(CommandResultSchema);
export const validateWindowStats = compile<WindowStatsRecord>(WindowStatsSchema);
export const validateAlert = compile<Alert>(AlertSchema);
export const validateDeviceRecord = compile<DeviceRecord>(DeviceRecordSchema);

/** For records read from Kafka, which a newer version may have written with fields this one does not know. */
function compileReader<T>(schema: object): Validator<T> {
  const open = openSchema(schema) as { $id?: string };
  delete open.$id; // the strict schema holds that id in the shared Ajv instance
  return compile<T>(open);
}

export const readTelemetry = compileReader<Telemetry>(TelemetrySchema);
export const readCommandResult = compileReader<CommandResult>(CommandResultSchema);
export const readDeviceRecord = compileReader<DeviceRecord>(DeviceRecordSchema);
