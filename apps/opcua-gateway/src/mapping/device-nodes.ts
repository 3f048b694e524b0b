/** What the gateway knows of one device on an endpoint: its variables by metric, which of them commands may write, and its object. */
export interface DeviceNodes {
  objectId?: string;
  /** The object's browse path below Objects, against which the endpoint's `callable` is matched. */
  objectPath?: readonly string[];
  variables: Map<string, string>;
  /**
   * NodeIds a command may write: the endpoint's `writable` matched their path, or their node says
   * `writable`. By NodeId, not metric: two variables of one device may share a metric name.
   */
  writable: Set<string>;
}
