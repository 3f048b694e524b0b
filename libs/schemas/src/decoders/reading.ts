import { type MetricValue } from '../envelope.schema';
import { type TimestampUnit } from './text';

/** What a decoder extracts from one payload: values sharing one event time. */
export interface Reading {
  values: Record<string, MetricValue>;
  /** Present when the payload carried its own time; otherwise the receive time is used. */
  eventTime?: Date;
  /** When a server between the device and the gateway stamped the values (OPC UA ServerTimestamp). */
  serverTime?: Date;
}

export interface DecodeOptions {
  /** JSON and CBOR decoders: the field holding the event time (epoch number or RFC 3339). */
  timestampField?: string;
  /** How an epoch number in timestampField is read: s, ms (default) or auto. */
  timestampUnit?: TimestampUnit;
  /**
   * JSON and CBOR decoders: the field whose object holds the metrics, e.g. `data` for
   * `{"sensor_id": "s1", "timestamp": 1732300000.1, "data": {"t": 21}}`. The other top-level
   * fields (besides timestampField) are then not metrics. Absent: the whole object is.
   */
  valuesField?: string;
  /**
   * JSON and CBOR decoders: a top-level field holding the deviceId (`device_id` in the seed's
   * `POST /sensors` body); it is not a metric. See deviceIdFromBody.
   */
  deviceIdField?: string;
  /** Number and text decoders: the metric name for the value (default `value`). */
  metric?: string;
  /** SenML: the current time, for relative times (RFC 8428 §4.5.3). Tests pin it. */
  now?: () => number;
}

export type PayloadDecoder = (bytes: Uint8Array, options?: DecodeOptions) => Reading[];
