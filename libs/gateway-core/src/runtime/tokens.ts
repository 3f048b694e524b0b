/** Injection tokens; every injection names its token (no decorator metadata, see jest.preset.cjs). */
export const CORE_CONFIG = Symbol('CORE_CONFIG');
export const PROTOCOL_ADAPTER = Symbol('PROTOCOL_ADAPTER');
export const RECORD_SINK = Symbol('RECORD_SINK');
