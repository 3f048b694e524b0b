import { type CommandTarget } from '../commands/command-dispatcher';

/** The protocol side of a gateway: ingress into the pipeline and downlink of commands. */
export interface ProtocolAdapter extends CommandTarget {
  /** Connects and starts handing messages to the pipeline. */
  start(): Promise<void>;
  /** Stops taking messages and waits for those in flight to be acknowledged or released. */
  stop(): Promise<void>;
  /** True while the protocol link is up. */
  isUp(): boolean;
}
