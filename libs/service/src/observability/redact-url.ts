const MASK = '***';

/**
 * A URL fit for a log line or a record: its user information (`user:password@`), every query
 * value and any fragment replaced by `***`, the rest as written. Works for any scheme (`mqtt://`,
 * `opc.tcp://`), for a bare path with a query (a CoAP request's URL) and for text that is no URL
 * at all (`host:9092`), which it returns unchanged.
 */
export function redactUrl(url: string): string {
  const queryAt = url.search(/[?#]/);
  const base = queryAt < 0 ? url : url.slice(0, queryAt);
  const tail = queryAt < 0 ? '' : url.slice(queryAt);
  return redactUserInfo(base) + redactQuery(tail);
}

function redactUserInfo(base: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(base)?.[0];
  if (!scheme) return base;
  // The last "@": a password may hold an unescaped "@", which URL parsers also read this way.
  const at = base.lastIndexOf('@');
  return at < scheme.length ? base : `${scheme}${MASK}${base.slice(at)}`;
}

function redactQuery(tail: string): string {
  if (tail === '') return '';
  const hashAt = tail.indexOf('#');
  const query = hashAt < 0 ? tail : tail.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : `#${MASK}`;
  if (query === '') return fragment;
  const params = query
    .slice(1)
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=');
      // A parameter without "=" may be the secret itself.
      return eq < 0 ? (param === '' ? '' : MASK) : `${param.slice(0, eq)}=${MASK}`;
    });
  return `?${params.join('&')}${fragment}`;
}
