import { permanentErrorType, producerStateErrorType } from './errors';

describe(permanentErrorType.name, () => {
  it('finds a permanent broker answer wrapped in retry errors', () => {
    const broker = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    const wrapped = Object.assign(new Error('retries exceeded'), { cause: Object.assign(new Error('x'), { originalError: broker }) });
    expect(permanentErrorType(wrapped)).toBe('MESSAGE_TOO_LARGE');
  });

  it('treats connection failures and unknown errors as transient', () => {
    expect(permanentErrorType(Object.assign(new Error('down'), { type: 'NETWORK_EXCEPTION' }))).toBeUndefined();
    expect(permanentErrorType(new Error('ECONNREFUSED'))).toBeUndefined();
    expect(permanentErrorType(undefined)).toBeUndefined();
  });
});

describe(producerStateErrorType.name, () => {
  it('finds a sequence-number disagreement wrapped in retry errors, and nothing else', () => {
    const broker = Object.assign(new Error('out of order'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(producerStateErrorType(Object.assign(new Error('retries exceeded'), { cause: broker }))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(producerStateErrorType(Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }))).toBeUndefined();
    expect(permanentErrorType(broker)).toBeUndefined();
  });
});
