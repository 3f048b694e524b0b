import { Connector, type Input, type Output, TimeoutError } from 'rticonnextdds-connector';
import { ServiceError, ServiceErrorCode } from '@fieldlink/service';
import { type DdsConfig } from '../config/dds-gateway.config';
import { type DdsSample, type InstanceState } from './dds-sample';
import { type Json, valueAt } from './field-path';

const invalid = (key: string, why: string) => new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}": ${why}`);

/**
 * The gateway's DDS DomainParticipant, created by the RTI Connector from the XML. The only place
 * that talks to the Connector. Its binding is not thread-safe and its async calls run on
 * libuv's threads, so every async call goes through `exclusive`, and the synchronous ones
 * (take, write) are made only from the reader loop or inside `exclusive`.
 */
export class DdsParticipant {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly connector: Connector,
    private readonly inputs: Map<string, Input>,
    private readonly outputs: Map<string, Output>,
  ) {}

  /**
   * Creates the participant, its readers and the command writer. Only RTI's own parser can tell
   * whether the XML is valid, so this runs while the config is checked: a bad file, participant,
   * reader or writer name stops startup with exit code 2 (RTI prints its parser's reason first).
   */
  static open(dds: DdsConfig): DdsParticipant {
    let connector: Connector;
    try {
      connector = new Connector(dds.participant, dds.qosFile);
    } catch {
      throw invalid('dds.qosFile', `the RTI Connector could not create participant "${dds.participant}" from ${dds.qosFile}: the XML is invalid or has no such <domain_participant> (RTI's parser printed why, above)`);
    }
    const inputs = new Map<string, Input>();
    dds.readers.forEach((reader, i) => {
      try {
        inputs.set(reader.reader, connector.getInput(reader.reader));
      } catch {
        throw invalid(`dds.readers[${i}].reader`, `participant "${dds.participant}" has no data_reader "${reader.reader}"`);
      }
    });
    const outputs = new Map<string, Output>();
    if (dds.commands.enabled) {
      try {
        outputs.set(dds.commands.writer, connector.getOutput(dds.commands.writer));
      } catch {
        throw invalid('dds.commands.writer', `participant "${dds.participant}" has no data_writer "${dds.commands.writer}"`);
      }
    }
    return new DdsParticipant(connector, inputs, outputs);
  }

  /**
   * Takes every sample the reader holds; a sample without valid data carries its deviceId key field.
   * Each SampleInfo field is a call into the Connector, so only what is used is read: the source
   * timestamp when asked for, and the instance state once per device, since it is the instance's
   * state at the take and so the same on each of its samples.
   */
  take(reader: string, keyField: string, options: { sourceTime: boolean }): DdsSample[] {
    const input = this.input(reader);
    input.take();
    const samples: DdsSample[] = [];
    const states = new Map<string, InstanceState>();
    for (const sample of input.samples) {
      const info = sample.info;
      const data = sample.validData ? (sample.getJson() as { [field: string]: Json }) : undefined;
      const keyValue = data ? valueAt(data, keyField) : (sample.get(keyField) as Json);
      const instance = JSON.stringify(keyValue ?? null);
      let instanceState = states.get(instance);
      if (!instanceState) {
        instanceState = (info.get('instance_state') ?? 'ALIVE') as InstanceState;
        states.set(instance, instanceState);
      }
      const identity = info.get('sample_identity');
      const sourceTimestamp = options.sourceTime ? info.get('source_timestamp') : null;
      samples.push({
        instanceState,
        data,
        ...(data ? {} : { keyValue: keyValue ?? null }),
        ...(identity ? { identity: { writerGuid: identity.writer_guid, sequenceNumber: identity.sequence_number } } : {}),
        ...(sourceTimestamp !== null ? { sourceTimestampNs: sourceTimestamp } : {}),
      });
    }
    return samples;
  }

  /** Readers of the writer's topic that have matched it now. */
  matchedReaders(writer: string): number {
    return this.output(writer).matchedSubscriptions.length;
  }

  /** Writes one sample and waits until every matched reliable reader acknowledged it. */
  writeAndWait(writer: string, data: Record<string, unknown>, timeoutMs: number): Promise<'acknowledged' | 'timeout'> {
    return this.exclusive(async () => {
      const output = this.output(writer);
      output.clearMembers();
      output.instance.setFromJson(data);
      output.write();
      try {
        await output.wait(timeoutMs);
        return 'acknowledged';
      } catch (error) {
        if (error instanceof TimeoutError) return 'timeout';
        throw error;
      }
    });
  }

  /** Runs the action once every earlier one has finished; the reader loop takes through it too. */
  exclusive<T>(action: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(action);
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    return this.exclusive(() => this.connector.close(5000));
  }

  private input(name: string): Input {
    const input = this.inputs.get(name);
    if (!input) throw new Error(`no DDS reader "${name}"`);
    return input;
  }

  private output(name: string): Output {
    const output = this.outputs.get(name);
    if (!output) throw new Error(`no DDS writer "${name}"`);
    return output;
  }
}
