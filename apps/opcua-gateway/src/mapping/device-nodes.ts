/** What the gateway knows of one device on an endpoint: its variables by metric, and its object. */
export interface DeviceNodes {
  objectId?: string;
  variables: Map<string, string>;
}
