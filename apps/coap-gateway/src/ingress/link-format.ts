import { type CoapRoute } from '../config/coap-gateway.config';

const READING_FORMATS = '0 50 60 110 112';

/**
 * `/.well-known/core` in CoAP link format (RFC 6690): one link per route, cut at its first
 * captured segment since a link is a URI, not a template; `title` shows the whole template.
 */
export function wellKnownCore(routes: readonly CoapRoute[], commandPath: string): string {
  const seen = new Set<string>();
  const links: string[] = [];
  for (const route of routes) {
    const uri = fixedPart(route.path);
    if (seen.has(uri)) continue;
    seen.add(uri);
    links.push(`<${uri}>;rt="fieldlink.${route.kind}";ct="${READING_FORMATS}";title="POST readings to /${trimmed(route.path)}"`);
  }
  links.push(`<${fixedPart(commandPath)}>;rt="fieldlink.commands";ct=50;obs;title="observe /${trimmed(commandPath)} for commands"`);
  return links.join(',');
}

function trimmed(template: string): string {
  return template.replace(/^\/+/, '');
}

function fixedPart(template: string): string {
  const segments = trimmed(template).split('/');
  const cut = segments.findIndex((segment) => segment.startsWith('{'));
  return `/${(cut === -1 ? segments : segments.slice(0, cut)).join('/')}`;
}
