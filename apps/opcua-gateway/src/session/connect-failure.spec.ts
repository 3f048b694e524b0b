import { classifyFailure } from './connect-failure';

const context = { url: 'opc.tcp://plc:4840', pkiDir: '/pki' };

describe(classifyFailure.name, () => {
  it.each([
    ['connect ECONNREFUSED 127.0.0.1:4840', 'unreachable'],
    ['BadCertificateUntrusted (0x801a0000)', 'certificate_untrusted'],
    ['ActivateSession failed: BadUserAccessDenied (0x801f0000)', 'auth_failed'],
    ['BadSecurityPolicyRejected', 'security_rejected'],
    ['create session timed out after 10000 ms', 'timeout'],
    ['something else entirely', 'other'],
  ])('sorts "%s" as %s', (message, reason) => {
    expect(classifyFailure(new Error(message), context).reason).toBe(reason);
  });

  it('tells the operator where the rejected server certificate is and where to move it', () => {
    expect(classifyFailure(new Error('BadCertificateUntrusted'), context).message).toContain('kept in /pki/rejected: move it to /pki/trusted/certs');
  });
});
