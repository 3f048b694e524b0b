export type OverflowPolicy = 'block' | 'drop-newest' | 'drop-oldest' | 'reject';

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  maxAgeMs: number;
  segmentBytes: number;
  /** The oldest record has waited this long for Kafka: Kafka is slower than the input, new records are spooled. */
  highWaterMs: number;
  /** Records waiting for Kafka beyond which new ones are spooled, whatever Kafka achieves: a memory bound. */
  highWaterRecords: number;
  /** A record waiting this long for Kafka means Kafka is failing, even before any error says so. */
  stallMs: number;
  overflow: OverflowPolicy;
}
