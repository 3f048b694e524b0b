import { type RawTake } from './native-reader';

export interface TakeWorkerData {
  /** The folder of the Connector's native library, where Connext's C libraries are too. */
  libraryDir: string;
  /** Each reader's DDS_DataReader address, by its name in the XML. */
  readers: Record<string, bigint>;
}

export interface TakeRequest {
  id: number;
  reader: string;
}

export type TakeReply = { id: number; raw: RawTake } | { id: number; error: string };
