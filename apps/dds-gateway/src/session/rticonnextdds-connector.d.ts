// The parts of the RTI Connector for JavaScript this gateway uses; the package ships no types.
declare module 'rticonnextdds-connector' {
  export class TimeoutError extends Error {}

  /** The Connector's own FFI binding, which the package exports for direct use. */
  export const connectorBinding: {
    /** The path of the native Connector library; Connext's C libraries sit beside it. */
    readonly library: string;
    RTI_Connector_get_datareader(connector: unknown, name: string): unknown;
  };
  export class DDSError extends Error {}

  export interface SampleInfo {
    get(field: 'sample_identity' | 'identity'): { writer_guid: number[]; sequence_number: number } | null;
    get(field: 'source_timestamp' | 'reception_timestamp'): number | null;
    get(field: 'instance_state' | 'view_state' | 'sample_state'): string | null;
    get(field: 'valid_data'): boolean;
  }

  export interface Sample {
    readonly validData: boolean;
    readonly info: SampleInfo;
    getJson(member?: string): Record<string, unknown>;
    get(field: string): number | string | boolean | null;
  }

  export interface Samples extends Iterable<Sample> {
    readonly length: number;
    get(index: number): Sample;
  }

  export class Input {
    take(): void;
    readonly samples: Samples;
    readonly matchedPublications: { name: string }[];
  }

  export interface Instance {
    setFromJson(value: Record<string, unknown>): void;
    getJson(): Record<string, unknown>;
  }

  export class Output {
    readonly instance: Instance;
    write(params?: { source_timestamp?: number; identity?: { writer_guid: number[]; sequence_number: number } }): void;
    clearMembers(): void;
    /** Resolves when every matched reliable reader acknowledged what was written. */
    wait(timeoutMs?: number): Promise<void>;
    readonly matchedSubscriptions: { name: string }[];
  }

  export class Connector {
    constructor(configName: string, url: string);
    /** The native RTI_Connector handle, for connectorBinding's functions. */
    readonly native: unknown;
    getInput(name: string): Input;
    getOutput(name: string): Output;
    close(timeoutMs?: number): Promise<void>;
  }
}
