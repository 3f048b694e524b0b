/** Why a connection attempt failed, as a metrics label and an operator-facing sentence. */
export type FailureReason = 'unreachable' | 'timeout' | 'certificate_untrusted' | 'security_rejected' | 'auth_failed' | 'session_lost' | 'other';

export interface ConnectFailure {
  reason: FailureReason;
  message: string;
}

/** Sorts node-opcua's errors, which carry the OPC UA StatusCode name in their text, into reasons an operator can act on. */
export function classifyFailure(error: unknown, context: { url: string; pkiDir: string }): ConnectFailure {
  const text = error instanceof Error ? error.message : String(error);
  const has = (...needles: string[]) => needles.some((n) => text.includes(n));
  if (has('ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'socket has been disconnected', 'premature socket termination')) {
    return { reason: 'unreachable', message: `${context.url} is unreachable: ${firstLine(text)}` };
  }
  if (has('BadCertificate', 'certificate is not trusted', 'untrusted', 'Untrusted')) {
    return {
      reason: 'certificate_untrusted',
      message: `the server certificate of ${context.url} is not trusted; it was kept in ${context.pkiDir}/rejected: move it to ${context.pkiDir}/trusted/certs to trust it (${firstLine(text)})`,
    };
  }
  if (has('BadUserAccessDenied', 'BadIdentityTokenRejected', 'BadIdentityTokenInvalid', 'BadUserSignatureInvalid')) {
    return { reason: 'auth_failed', message: `${context.url} refused the user identity (wrong user name, password or certificate): ${firstLine(text)}` };
  }
  if (has('BadSecurityPolicyRejected', 'BadSecurityModeRejected', 'BadSecurityChecksFailed', 'cannot find endpoint', 'Cannot find an Endpoint', 'endpoint does not exist')) {
    return { reason: 'security_rejected', message: `${context.url} offers no endpoint with the configured securityMode and securityPolicy, or refused the secure channel: ${firstLine(text)}` };
  }
  if (has('timeout', 'Timeout', 'timed out')) return { reason: 'timeout', message: `${context.url} did not answer in time: ${firstLine(text)}` };
  return { reason: 'other', message: `${context.url}: ${firstLine(text)}` };
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim().length > 0) ?? text).trim().slice(0, 300);
}
