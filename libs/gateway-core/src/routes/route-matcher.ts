/**
 * How one protocol recognises a route's messages: MQTT topic patterns, and next CoAP URI
 * paths, OPC UA browse paths or NodeIds, DDS topic plus key field. `native` is whatever the
 * adapter identifies a message by.
 */
export interface RouteMatcher<N> {
  /** The names this matcher can capture, e.g. deviceId and site from plant/{site}/{deviceId}/data. */
  readonly names: string[];
  /** The captures for one message, or undefined when it is not this route's. */
  match(native: N): Record<string, string> | undefined;
}
