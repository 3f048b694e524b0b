import { join } from 'node:path';
import koffi from 'koffi';
import { sampleId } from '../mapping/sample-id';
import { type InstanceState } from './dds-sample';

const RETCODE_OK = 0;
const RETCODE_NO_DATA = 11;
/** As many as the reader's max_samples_per_read (RTI's default 1,024) allows. */
const LENGTH_UNLIMITED = -1;
const ANY_STATE = 0xffff;
/** A DDS sequence struct is well under this; Connext initialises it in our buffer. */
const SEQUENCE_STRUCT_BYTES = 512;
const FIRST_JSON_BUFFER_BYTES = 64 * 1024;

/**
 * Where Connext 7's DDS_SampleInfo keeps the fields we read (64-bit builds). Every take checks them
 * on its first sample against RTI's own SampleInfo formatter, so a build with another layout is
 * noticed and read through the formatter from then on.
 */
const INFO = { instanceState: 8, sourceSec: 16, sourceNanosec: 24, instanceHandle: 32, validData: 100, bytes: 104 } as const;
/** DDS_InstanceHandle_t: the 16-byte key hash, its length, and whether it is valid. */
const HANDLE_BYTES = 24;
export const INSTANCE_STATES: readonly InstanceState[] = ['ALIVE', 'NOT_ALIVE_DISPOSED', 'NOT_ALIVE_NO_WRITERS'];
const STATE_INDEX: Record<number, number> = { 1: 0, 2: 1, 4: 2 };

/** Numbers per sample in RawTake.meta: valid (see VALID), instance state (index into INSTANCE_STATES), source time (ns). */
export const META_FIELDS = 3;
export const VALID = { noData: 0, data: 1, unreadable: 2 } as const;

/**
 * One take, packed to cross from the take thread cheaply: the samples' JSON texts and envelope
 * ids (sampleId, '' for none), each joined by NUL, which neither ever holds; their SampleInfo
 * fields as numbers.
 */
export interface RawTake {
  json: string;
  ids: string;
  meta: Float64Array;
  /** Samples Connext could not read or format, with why: the rest of the take is still good. */
  unreadable: { index: number; reason: string }[];
}

/** What the formatter says of a SampleInfo; the fields the layout must agree with. */
export interface FormattedInfo {
  valid_data: boolean;
  instance_state: string;
  source_timestamp: { sec: number; nanosec: number };
  instance_handle: string;
}

export interface InfoFields {
  valid: boolean;
  /** Index into INSTANCE_STATES. */
  state: number;
  sourceTimestampNs: number;
  /** The instance's key hash, in hex. */
  keyHash: string;
}

type Native = unknown;

/** The part of Connext's C API a take needs, from the libnddsc beside the Connector's own library. */
function loadApi(libraryDir: string) {
  const file = { win32: 'nddsc.dll', darwin: 'libnddsc.dylib' }[process.platform as string] ?? 'libnddsc.so';
  const lib = koffi.load(join(libraryDir, file));
  return {
    narrow: lib.func('void *DDS_DynamicDataReader_narrow(void *)'),
    initDataSeq: lib.func('bool DDS_DynamicDataSeq_initialize(void *)'),
    initInfoSeq: lib.func('bool DDS_SampleInfoSeq_initialize(void *)'),
    take: lib.func('int DDS_DynamicDataReader_take(void *, void *, void *, int, uint32_t, uint32_t, uint32_t)'),
    returnLoan: lib.func('int DDS_DynamicDataReader_return_loan(void *, void *, void *)'),
    length: lib.func('int DDS_DynamicDataSeq_get_length(void *)'),
    data: lib.func('void *DDS_DynamicDataSeq_get_reference(void *, int)'),
    info: lib.func('void *DDS_SampleInfoSeq_get_reference(void *, int)'),
    identity: lib.func('void DDS_SampleInfo_get_sample_identity(void *, _Out_ uint8_t *)'),
    keyValue: lib.func('int DDS_DynamicDataReader_get_key_value(void *, void *, uint8_t *)'),
    typeOf: lib.func('void *DDS_DynamicData_get_type(void *)'),
    newData: lib.func('void *DDS_DynamicData_new(void *, void *)'),
    defaultProperty: lib.symbol('DDS_DYNAMIC_DATA_PROPERTY_DEFAULT', koffi.opaque()) as unknown,
    dataJson: lib.func('int DDS_DynamicDataFormatter_to_json(void *, _Out_ uint8_t *, _Inout_ uint32_t *, uint32_t)'),
    infoJson: lib.func('int DDS_SampleInfoFormatter_to_json(void *, _Out_ uint8_t *, _Inout_ uint32_t *, uint32_t)'),
  };
}

type Api = ReturnType<typeof loadApi>;

const C_RUNTIME: Record<string, string> = { linux: 'libc.so.6', darwin: 'libSystem.B.dylib', win32: 'msvcrt.dll' };

/**
 * Copies native memory into a Buffer. memcpy from the C runtime took 0.8 µs where a koffi view
 * (a new external ArrayBuffer each time) took 2.7, and its garbage more on the take thread; the
 * view stays as the fallback where no C runtime is found.
 */
function memoryCopier(): (into: Buffer, from: Native) => void {
  try {
    const memcpy = koffi.load(C_RUNTIME[process.platform] ?? 'libc.so.6').func('void *memcpy(_Out_ uint8_t *, void *, size_t)');
    return (into, from) => void memcpy(into, from, into.length);
  } catch {
    return (into, from) => void Buffer.from(koffi.view(from, into.length)).copy(into);
  }
}

/**
 * Takes a reader's samples through Connext's C API instead of the Connector's per-sample calls.
 * Each of those (valid data, JSON, identity) costs 5 to 10 µs, most of a bridge's budget; here a
 * sample costs one JSON conversion and a few memory reads, and reads the same values: the
 * Connector's JSON comes from the same formatter, the identity from DDS_SampleInfo_get_sample_identity.
 * The envelope id is derived here too, off the main thread.
 * Connext's entities are thread-safe, so this runs on its own thread beside the Connector.
 */
export class NativeReader {
  private readonly api: Api;
  private readonly reader: Native;
  private readonly dataSeq = Buffer.alloc(SEQUENCE_STRUCT_BYTES);
  private readonly infoSeq = Buffer.alloc(SEQUENCE_STRUCT_BYTES);
  private readonly identity = Buffer.alloc(24);
  private readonly size: [number] = [0];
  private readonly handle = Buffer.alloc(HANDLE_BYTES);
  private readonly info = Buffer.alloc(INFO.bytes);
  private readonly copy = memoryCopier();
  private json: Buffer;
  private formatInfos: boolean;
  /** A sample of the reader's type that get_key_value fills; made at the first sample without data. */
  private keyHolder: Native;

  /** `dataReader` is the address of the DDS_DataReader, from connectorBinding.RTI_Connector_get_datareader. */
  constructor(libraryDir: string, dataReader: bigint, options: { jsonBufferBytes?: number; formatInfos?: boolean } = {}) {
    this.api = loadApi(libraryDir);
    this.reader = this.api.narrow(dataReader);
    if (!this.reader) throw new Error('the DDS reader is not a DynamicData reader');
    if (!this.api.initDataSeq(this.dataSeq) || !this.api.initInfoSeq(this.infoSeq)) throw new Error('could not initialise the DDS sample sequences');
    this.json = Buffer.alloc(options.jsonBufferBytes ?? FIRST_JSON_BUFFER_BYTES);
    this.formatInfos = options.formatInfos ?? false;
  }

  /** True once a SampleInfo disagreed with the layout, so infos are read through the formatter. */
  get readsInfosByFormatter(): boolean {
    return this.formatInfos;
  }

  /** Every sample the reader holds. */
  take(): RawTake {
    const api = this.api;
    const rc = api.take(this.reader, this.dataSeq, this.infoSeq, LENGTH_UNLIMITED, ANY_STATE, ANY_STATE, ANY_STATE) as number;
    if (rc === RETCODE_NO_DATA) return { json: '', ids: '', meta: new Float64Array(0), unreadable: [] };
    if (rc !== RETCODE_OK) throw new Error(`DDS take failed with return code ${rc}`);
    try {
      const count = api.length(this.dataSeq) as number;
      const texts = new Array<string>(count);
      const ids = new Array<string>(count);
      const meta = new Float64Array(count * META_FIELDS);
      const unreadable: RawTake['unreadable'] = [];
      for (let i = 0; i < count; i++) {
        try {
          const info = api.info(this.infoSeq, i) as Native;
          const fields = this.infoFields(info, i === 0);
          const data = api.data(this.dataSeq, i) as Native;
          texts[i] = this.format(api.dataJson, fields.valid ? data : this.keyOf(data, fields.keyHash));
          api.identity(info, this.identity);
          const sequenceNumber = this.identity.readInt32LE(16) * 2 ** 32 + this.identity.readUInt32LE(20);
          ids[i] = (fields.valid && sampleId(this.identity.toString('hex', 0, 16), sequenceNumber)) || '';
          meta[i * META_FIELDS] = fields.valid ? VALID.data : VALID.noData;
          meta[i * META_FIELDS + 1] = fields.state;
          meta[i * META_FIELDS + 2] = fields.sourceTimestampNs;
        } catch (error) {
          // Taken, so it must not vanish: the reader loop dead-letters it with the reason.
          texts[i] = '';
          ids[i] = '';
          meta[i * META_FIELDS] = VALID.unreadable;
          unreadable.push({ index: i, reason: error instanceof Error ? error.message : String(error) });
        }
      }
      return { json: texts.join('\u0000'), ids: ids.join('\u0000'), meta, unreadable };
    } finally {
      api.returnLoan(this.reader, this.dataSeq, this.infoSeq);
    }
  }

  private infoFields(info: Native, check: boolean): InfoFields {
    const formatted = () => fromFormatted(JSON.parse(this.format(this.api.infoJson, info)) as FormattedInfo);
    if (this.formatInfos) return formatted();
    this.copy(this.info, info);
    const fields = fromLayout(this.info);
    if (fields && !check) return fields;
    const truth = formatted();
    if (!fields || !sameInfo(fields, truth)) this.formatInfos = true;
    return truth;
  }

  /**
   * A sample without valid data (its instance disposed, or left without writers) need not carry
   * its key, so it is read from the instance, as the Connector does; the holder is reused.
   */
  private keyOf(sample: Native, keyHash: string): Native {
    this.keyHolder ??= this.api.newData(this.api.typeOf(sample), this.api.defaultProperty) as Native;
    this.handle.write(keyHash, 0, 16, 'hex');
    this.handle.writeUInt32LE(16, 16);
    this.handle.writeInt32LE(1, 20);
    // An instance the reader no longer knows keeps whatever fields the sample has.
    return this.keyHolder && this.api.keyValue(this.reader, this.keyHolder, this.handle) === RETCODE_OK ? this.keyHolder : sample;
  }

  /** Runs one of Connext's to_json formatters into the reused buffer, growing it when too small. */
  private format(formatter: (...args: unknown[]) => unknown, value: Native): string {
    for (;;) {
      this.size[0] = this.json.length;
      const rc = formatter(value, this.json, this.size, 0) as number;
      if (rc === RETCODE_OK) {
        const end = this.json.indexOf(0);
        if (end < 0) throw new Error('Connext formatted a sample as JSON without ending it');
        return this.json.toString('utf8', 0, end);
      }
      if (this.size[0] <= this.json.length) throw new Error(`Connext could not format a sample as JSON (return code ${rc})`);
      this.json = Buffer.alloc(this.size[0] + 1);
    }
  }
}

/** Undefined when the instance state is none DDS defines: the layout is not the one we know. */
function fromLayout(info: Buffer): InfoFields | undefined {
  const state = STATE_INDEX[info.readInt32LE(INFO.instanceState)];
  if (state === undefined) return undefined;
  const valid = info[INFO.validData] !== 0;
  // The seconds are an int64; any time DDS can stamp fits a double's 53 bits.
  const seconds = info.readInt32LE(INFO.sourceSec + 4) * 2 ** 32 + info.readUInt32LE(INFO.sourceSec);
  return {
    valid,
    state,
    sourceTimestampNs: seconds * 1e9 + info.readUInt32LE(INFO.sourceNanosec),
    // Needed only to read the key of a sample without data.
    keyHash: valid ? '' : info.toString('hex', INFO.instanceHandle, INFO.instanceHandle + 16),
  };
}

export function fromFormatted(info: FormattedInfo): InfoFields {
  const state = INSTANCE_STATES.indexOf(info.instance_state as InstanceState);
  if (state < 0) throw new Error(`DDS reported instance state "${info.instance_state}"`);
  return {
    valid: info.valid_data,
    state,
    sourceTimestampNs: info.source_timestamp.sec * 1e9 + info.source_timestamp.nanosec,
    keyHash: info.instance_handle.toLowerCase(),
  };
}

export function sameInfo(a: InfoFields, b: InfoFields): boolean {
  return a.valid === b.valid && a.state === b.state && a.sourceTimestampNs === b.sourceTimestampNs && (a.valid || a.keyHash === b.keyHash);
}
