/** Injection tokens; every injection names its token (no decorator metadata, see jest.preset.cjs). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const TOPICS = Symbol('TOPICS');
export const SERVICE_RUNTIME = Symbol('SERVICE_RUNTIME');
export const PROCESS_FAULTS = Symbol('PROCESS_FAULTS');
