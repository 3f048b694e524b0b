export type OverflowPolicy = 'block' | 'drop-newest' | 'drop-oldest' | 'reject';

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  maxAgeMs: number;
  segmentBytes: number;
  /** Records waiting for Kafka beyond which new ones are spooled: Kafka is slower than the input. */
  highWaterRecords: number;
  /** A record waiting this long for Kafka means Kafka is failing, even before any error says so. */
  stallMs: number;
  overflow: OverflowPolicy;
}
