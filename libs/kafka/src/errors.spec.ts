import { permanentErrorType } from './errors';

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
