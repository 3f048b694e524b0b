import { dirname } from 'node:path';
import koffi from 'koffi';
import { Connector, type Output, TimeoutError, connectorBinding } from 'rticonnextdds-connector';
import { ServiceError, ServiceErrorCode } from '@fieldlink/service';
import { type DdsConfig } from '../config/dds-gateway.config';
import { type DdsSample } from './dds-sample';
import { TakeThread, toSamples } from './take-thread';

const invalid = (key: string, why: string) => new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}": ${why}`);

/**
 * The gateway's DDS DomainParticipant, created by the RTI Connector from the XML. The only place
 * that talks to the Connector. Its binding is not thread-safe and its async calls run on
 * libuv's threads, so every Connector call goes through `exclusive`. Takes do not use the
 * Connector: the take thread reads the readers through Connext's thread-safe C API.
 */
export class DdsParticipant {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly connector: Connector,
    private readonly takes: TakeThread,
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
    const readers: Record<string, bigint> = {};
    dds.readers.forEach((reader, i) => {
      try {
        connector.getInput(reader.reader);
      } catch {
        throw invalid(`dds.readers[${i}].reader`, `participant "${dds.participant}" has no data_reader "${reader.reader}"`);
      }
      readers[reader.reader] = koffi.address(connectorBinding.RTI_Connector_get_datareader(connector.native, reader.reader));
    });
    const outputs = new Map<string, Output>();
    if (dds.commands.enabled) {
      try {
        outputs.set(dds.commands.writer, connector.getOutput(dds.commands.writer));
      } catch {
        throw invalid('dds.commands.writer', `participant "${dds.participant}" has no data_writer "${dds.commands.writer}"`);
      }
    }
    return new DdsParticipant(connector, new TakeThread({ libraryDir: dirname(connectorBinding.library), readers }), outputs);
  }

  /**
   * Takes every sample the reader holds, on the take thread; a sample without valid data carries
   * its deviceId key field. With `ahead`, the reader's next take starts at once (see TakeThread).
   */
  async take(reader: string, keyField: string, options: { sourceTime: boolean; ahead: boolean }): Promise<DdsSample[]> {
    return toSamples(await this.takes.take(reader, options.ahead), keyField, options.sourceTime);
  }

  /** Why no sample can be taken at all, if the take thread could not start. */
  get readFailure(): Error | undefined {
    return this.takes.failure;
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

  /** Runs the action once every earlier Connector call has finished. */
  exclusive<T>(action: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(action);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.takes.stop();
    return this.exclusive(() => this.connector.close(5000));
  }

  private output(name: string): Output {
    const output = this.outputs.get(name);
    if (!output) throw new Error(`no DDS writer "${name}"`);
    return output;
  }
}
