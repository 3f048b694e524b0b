import { type IncomingMessage } from 'coap';

/** A request with its URI split into path and query. */
export interface CoapRequest {
  req: IncomingMessage;
  path: string;
  query: URLSearchParams;
}

export function requestOf(req: IncomingMessage): CoapRequest {
  const [path = '', query = ''] = req.url.split('?');
  return { req, path, query: new URLSearchParams(query) };
}
