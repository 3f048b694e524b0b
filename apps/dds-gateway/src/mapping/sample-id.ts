import { stableId } from '@fieldlink/schemas';

/**
 * The envelope id of a sample, from its writer's GUID (hex) and its sequence number: the same
 * whenever the writer sends the sample again. Undefined when DDS knows no sequence number (-1).
 */
export function sampleId(writerGuid: string, sequenceNumber: number): string | undefined {
  if (sequenceNumber < 0 || writerGuid.length === 0) return undefined;
  return stableId('dds', writerGuid, sequenceNumber);
}
