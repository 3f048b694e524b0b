/** Decides which endpoints this replica serves, and tells the adapter whenever that changes. */
export interface EndpointOwnership {
  /** True once this replica knows its share (a single replica: at once). */
  readonly joined: boolean;
  /** The endpoints given to this replica, including any still waiting out a handover delay. */
  readonly assigned: ReadonlySet<string>;
  /** Begins; `onChange` gets the full set of owned endpoint names each time it changes. */
  start(onChange: (owned: ReadonlySet<string>) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** One replica serves every endpoint (opcua.sharding.enabled false). */
export class AllEndpoints implements EndpointOwnership {
  joined = false;

  constructor(private readonly names: readonly string[]) {}

  get assigned(): ReadonlySet<string> {
    return new Set(this.joined ? this.names : []);
  }

  async start(onChange: (owned: ReadonlySet<string>) => Promise<void>): Promise<void> {
    this.joined = true;
    await onChange(new Set(this.names));
  }

  stop(): Promise<void> {
    this.joined = false;
    return Promise.resolve();
  }
}
