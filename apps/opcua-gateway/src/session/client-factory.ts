import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, type UserIdentityInfo, UserTokenType } from 'node-opcua';
import { type EndpointConfig, type OpcuaGatewayConfig } from '../config/opcua-gateway.config';

/** The gateway's application name, in its certificate and in the server's session list. */
const APPLICATION_NAME = 'fieldlink-opcua-gateway';

/**
 * Builds one OPCUAClient per connection attempt. node-opcua's own reconnection is off
 * (maxRetry 0): EndpointSession closes a broken client and starts afresh, creating a new session
 * and new subscriptions instead of transferring them (node-opcua#1059).
 */
export class ClientFactory {
  readonly pkiDir: string;

  constructor(private readonly config: OpcuaGatewayConfig['opcua']) {
    this.pkiDir = resolve(config.pki.dir);
  }

  /** A certificate manager on the configured PKI folder; never the default under the home directory. */
  certificateManager(): OPCUACertificateManager {
    return new OPCUACertificateManager({ rootFolder: this.pkiDir, automaticallyAcceptUnknownCertificate: this.config.pki.acceptUnknownServerCertificates });
  }

  /** Makes the client certificate now, if missing, so an operator can trust it before the first connection. */
  async ensureOwnCertificate(): Promise<string> {
    const manager = this.certificateManager();
    const outputFile = join(this.pkiDir, 'own', 'certs', 'client_certificate.pem');
    try {
      await manager.initialize();
      if (!existsSync(outputFile)) {
        // OPC UA Part 6 §6.2.2: the ApplicationUri goes in subjectAltName, and servers check it against the session's.
        await manager.createSelfSignedCertificate({ applicationUri: this.config.applicationUri, subject: `/CN=${APPLICATION_NAME}`, dns: [hostname()], startDate: new Date(), validity: 3650, outputFile });
      }
    } finally {
      await manager.dispose();
    }
    return outputFile;
  }

  create(endpoint: EndpointConfig): OPCUAClient {
    return OPCUAClient.create({
      applicationName: APPLICATION_NAME,
      applicationUri: this.config.applicationUri,
      clientName: `${APPLICATION_NAME}-${endpoint.name}`,
      securityMode: MessageSecurityMode[endpoint.securityMode],
      securityPolicy: SecurityPolicy[endpoint.securityPolicy],
      // One manager per client: disconnect() releases the one it was given.
      clientCertificateManager: this.certificateManager(),
      endpointMustExist: false,
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
      transportTimeout: this.config.reconnect.connectTimeoutMs,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    });
  }

  identity(endpoint: EndpointConfig): UserIdentityInfo {
    const identity = endpoint.identity;
    switch (identity.type) {
      case 'anonymous':
        return { type: UserTokenType.Anonymous };
      case 'username':
        return { type: UserTokenType.UserName, userName: identity.username, password: identity.password };
      case 'certificate':
        return {
          type: UserTokenType.Certificate,
          certificateData: new X509Certificate(readFileSync(identity.certificateFile)).raw,
          privateKey: readFileSync(identity.privateKeyFile, 'utf8'),
        };
    }
  }
}
