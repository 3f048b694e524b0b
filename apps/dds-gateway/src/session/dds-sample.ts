import { type Json } from './field-path';

export type InstanceState = 'ALIVE' | 'NOT_ALIVE_DISPOSED' | 'NOT_ALIVE_NO_WRITERS';

/** A sample as the participant takes it: the data as JSON, and the SampleInfo fields we use. */
export interface DdsSample {
  /** Undefined for a sample without valid data (an instance disposed or left without writers). */
  data: { [field: string]: Json } | undefined;
  /** For a sample without valid data: the value of the reader's deviceIdField, read from its key. */
  keyValue?: Json;
  instanceState: InstanceState;
  /** The envelope id, from the writer's GUID and the sample's sequence number (sampleId): the same on a re-send. */
  id?: string;
  sourceTimestampNs?: number;
  /** A sample taken but not readable (Connext could not format it, or its JSON did not parse): dead-lettered. */
  unreadable?: { reason: string; raw: string };
}
