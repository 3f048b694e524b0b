import { GatewayError } from '@fieldlink/gateway-core';
import { CoapError, CoapErrorCode } from './errors';

describe(CoapError.name, () => {
  it('keeps the wire strings of its codes, which dead letters, command results and the README name', () => {
    expect(CoapErrorCode).toEqual({
      PayloadIncomplete: 'FL_DECODE_INCOMPLETE',
      UnsupportedFormat: 'FL_DECODE_UNSUPPORTED_FORMAT',
      MethodNotAllowed: 'FL_METHOD_NOT_ALLOWED',
      NotObserving: 'FL_COAP_NOT_OBSERVING',
      Shutdown: 'FL_COAP_SHUTDOWN',
      Reset: 'FL_COAP_RESET',
      NoAck: 'FL_COAP_NO_ACK',
    });
  });

  it('is a GatewayError, so a dead letter carries its code as the reason', () => {
    const error = new CoapError(CoapErrorCode.MethodNotAllowed, 'PUT /sensors/p: readings are POSTed');
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'FL_METHOD_NOT_ALLOWED', retryable: false, name: 'CoapError' });
  });
});
