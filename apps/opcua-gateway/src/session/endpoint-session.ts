import { setTimeout as sleep } from 'node:timers/promises';
import { type ClientSession, type OPCUAClient } from 'node-opcua';
import { Backoff } from '@fieldlink/resilience';
import { type Logger, redactUrl } from '@fieldlink/service';
import { type EndpointConfig, type OpcuaGatewayConfig } from '../config/opcua-gateway.config';
import { type ClientFactory } from './client-factory';
import { type ConnectFailure, classifyFailure } from './connect-failure';

/** What runs on each new session: subscriptions and monitored items. */
export interface SessionUser {
  /** Sets up monitoring on a fresh session; `lost` recycles the session (e.g. the server deleted the subscription). */
  attach(session: ClientSession, lost: (reason: string) => void): Promise<void>;
  /** The session is gone; nothing may use it any more. */
  detach(): void;
}

export interface SessionEvents {
  /** The endpoint went down, or could not be reached; `since` is when it was last up (or when trying began). */
  onDown(failure: ConnectFailure, since: Date): void;
  /** A session is up and monitoring again; `downSince` is set when it follows a gap. */
  onUp(downSince: Date | undefined): void;
}

export type EndpointState = 'connecting' | 'connected' | 'waiting' | 'stopped';

const CLOSE_TIMEOUT_MS = 3000;

/**
 * One endpoint, at most one session at a time: connect, create a session, let the user subscribe,
 * wait until anything breaks, then close everything before waiting (with backoff) and starting
 * over. A restarted server gets a new session and new subscriptions with every monitored item.
 */
export class EndpointSession {
  state: EndpointState = 'waiting';
  lastFailure: ConnectFailure | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly backoff: Backoff;

  constructor(
    readonly endpoint: EndpointConfig,
    private readonly clients: ClientFactory,
    private readonly reconnect: OpcuaGatewayConfig['opcua']['reconnect'],
    private readonly user: SessionUser,
    private readonly events: SessionEvents,
    private readonly logger: Logger,
  ) {
    // Jittered so replicas that lost one server do not return in step.
    this.backoff = new Backoff({ initialMs: reconnect.initialDelayMs, maxMs: reconnect.maxDelayMs, jitter: 'upper-half' });
  }

  /** Starts trying in the background; never waits for the endpoint. */
  start(): void {
    this.stopping = false;
    this.loop ??= this.run().finally(() => (this.loop = undefined));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    let downSince: Date | undefined;
    let firstAttempt = true;
    while (!this.stopping) {
      this.state = 'connecting';
      const failure = await this.connectAndServe(() => {
        this.backoff.reset();
        this.events.onUp(firstAttempt ? undefined : downSince);
        downSince = undefined;
      });
      firstAttempt = false;
      if (this.stopping) break;
      downSince ??= new Date();
      this.lastFailure = failure;
      this.events.onDown(failure, downSince);
      this.state = 'waiting';
      await this.pause(this.backoff.next());
    }
  }

  /** One session's life: resolves with why it ended. */
  private async connectAndServe(onUp: () => void): Promise<ConnectFailure> {
    const { url } = this.endpoint;
    // Logs, status records and failure messages name the URL without any credentials written into it.
    const shown = redactUrl(url);
    const context = { url: shown, pkiDir: this.clients.pkiDir };
    let client: OPCUAClient | undefined;
    let session: ClientSession | undefined;
    let attached = false;
    try {
      client = this.clients.create(this.endpoint);
      let lost: (reason: string) => void = () => undefined;
      const ended = new Promise<string>((resolve) => (lost = resolve));
      client.on('connection_lost', () => lost('connection lost'));
      client.on('close', () => lost('connection closed'));
      client.on('start_reconnection', () => lost('connection lost'));
      await this.bounded(client.connect(url), 'connect');
      session = await this.bounded(client.createSession(this.clients.identity(this.endpoint)), 'create session');
      session.on('session_closed', () => lost('session closed by the server'));
      session.on('keepalive_failure', () => lost('session keep-alive failed'));
      attached = true;
      await this.bounded(this.user.attach(session, lost), 'subscribe');
      this.state = 'connected';
      this.logger.info({ endpoint: this.endpoint.name, url: shown }, 'OPC UA session up');
      onUp();
      const stopped = new Promise<string>((resolve) => (this.wake = () => resolve('stopping')));
      const reason = await Promise.race([ended, stopped]);
      return { reason: 'session_lost', message: `${shown}: ${reason}` };
    } catch (error) {
      return classifyFailure(error, context);
    } finally {
      this.wake = undefined;
      if (attached) this.user.detach();
      await this.close(client, session);
    }
  }

  private async close(client: OPCUAClient | undefined, session: ClientSession | undefined): Promise<void> {
    // Closing a session on a dead connection can hang; each step is bounded so the next attempt is never held up.
    const settle = (p: Promise<unknown> | undefined) => Promise.race([p?.catch(() => undefined), sleep(CLOSE_TIMEOUT_MS)]);
    if (session) await settle(session.close(true));
    if (client) await settle(client.disconnect());
  }

  private async bounded<T>(work: Promise<T>, step: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${step} timed out after ${this.reconnect.connectTimeoutMs} ms`)), this.reconnect.connectTimeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }
}
