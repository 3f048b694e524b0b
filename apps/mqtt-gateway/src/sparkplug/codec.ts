import protobuf from 'protobufjs';
import { SPARKPLUG_B_DESCRIPTOR } from './sparkplug-b.descriptor';

/**
 * Sparkplug B payloads, as protobufjs decodes them with the codec generated from the official
 * sparkplug_b.proto (64-bit fields as decimal strings, so no precision is lost on the way).
 */
export interface SpbPayload {
  timestamp?: string;
  metrics?: SpbMetric[];
  seq?: string;
  uuid?: string;
  body?: Uint8Array;
}

export interface SpbMetric extends SpbScalar {
  name?: string;
  alias?: string;
  timestamp?: string;
  datatype?: number;
  is_historical?: boolean;
  is_transient?: boolean;
  is_null?: boolean;
  properties?: SpbPropertySet;
  bytes_value?: Uint8Array;
  dataset_value?: SpbDataSet;
  template_value?: SpbTemplate;
}

/** The value fields the proto's messages share (Metric, DataSetValue, PropertyValue, Template.Parameter). */
export interface SpbScalar {
  int_value?: number;
  long_value?: string;
  float_value?: number;
  double_value?: number;
  boolean_value?: boolean;
  string_value?: string;
}

export interface SpbPropertyValue extends SpbScalar {
  type?: number;
  is_null?: boolean;
  propertyset_value?: SpbPropertySet;
  propertysets_value?: { propertyset?: SpbPropertySet[] };
}

export interface SpbPropertySet {
  keys?: string[];
  values?: SpbPropertyValue[];
}

export interface SpbDataSet {
  num_of_columns?: string;
  columns?: string[];
  types?: number[];
  rows?: { elements?: SpbScalar[] }[];
}

export interface SpbTemplate {
  version?: string;
  metrics?: SpbMetric[];
  template_ref?: string;
  is_definition?: boolean;
}

const root = protobuf.Root.fromJSON(SPARKPLUG_B_DESCRIPTOR);
const Payload = root.lookupType('org.eclipse.tahu.protobuf.Payload');

/** Throws protobufjs's error for bytes that are no protobuf Payload. */
export function decodeSparkplug(bytes: Uint8Array): SpbPayload {
  const payload: SpbPayload = Payload.toObject(Payload.decode(bytes), { longs: String, defaults: false, arrays: false });
  return payload;
}

export function encodeSparkplug(payload: SpbPayload): Buffer {
  return Buffer.from(Payload.encode(Payload.fromObject(payload)).finish());
}
