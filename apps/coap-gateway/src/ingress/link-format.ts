import { type CoapRoute } from '../config/coap-gateway.config';

const READING_FORMATS = '0 50 60 110 112';

/**
 * `/.well-known/core` in CoAP link format (RFC 6690): one link per route, cut at its first
 * captured segment since a link is a URI, not a template; `title` shows the whole template.
 */
export function wellKnownCore(routes: readonly CoapRoute[]): string {
  const seen = new Set<string>();
  const links: string[] = [];
  for (const route of routes) {
    const fixed = route.path.replace(/^\/+/, '').split('/');
    const cut = fixed.findIndex((segment) => segment.startsWith('{'));
    const uri = `/${(cut === -1 ? fixed : fixed.slice(0, cut)).join('/')}`;
    if (seen.has(uri)) continue;
    seen.add(uri);
    links.push(`<${uri}>;rt="fieldlink.${route.kind}";ct="${READING_FORMATS}";title="POST readings to /${route.path.replace(/^\/+/, '')}"`);
  }
  return links.join(',');
}
