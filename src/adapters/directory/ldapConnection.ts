import { readFileSync } from 'node:fs';
import net, { isIP, type Socket } from 'node:net';
import tls, { type ConnectionOptions, type TLSSocket } from 'node:tls';
import { Client, ResultCodeError } from 'ldapts';
import type { Clock } from '../../ports/clock.js';
import { DirectoryUnavailableError, type DirectoryHealth, type DirectoryKind } from '../../ports/directory.js';
import type { Logger } from '../../ports/logger.js';

export interface LdapConnectionSettings {
  kind: Exclude<DirectoryKind, 'embedded'>;
  url: string;
  caFile?: string;
  bindDn: string;
  bindPassword: string;
  timeoutMs: number;
}

/** What a connection knows about its TLS session, for `directory check`. */
export interface TlsSummary {
  protocol: string;
  cipher: string;
  subject: string;
  issuer: string;
  validTo: string;
  startTls: boolean;
}

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * One persistent connection to the directory, bound as the service account and always encrypted:
 * ldaps://, or ldap:// upgraded with StartTLS before the bind. The certificate and host name are
 * always verified (LDAP_CA_FILE adds to the system's CAs). Every lookup shares it, so there is no
 * TLS handshake per lookup; when it fails it is dropped, the directory counts as down, and the next
 * operation (or a background retry, with back-off) makes a new one. The bind password is kept in
 * memory only, and no error message built here contains it.
 */
export class LdapConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private state: DirectoryHealth['state'] = 'unknown';
  private since: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_FIRST_MS;
  private closed = false;
  private lastTls: TlsSummary | undefined;
  private readonly secure: boolean;
  private readonly host: string;
  private readonly tlsOptions: ConnectionOptions;

  constructor(
    private readonly settings: LdapConnectionSettings,
    private readonly logger: Logger,
    private readonly clock: Clock,
    /** Retry in the background while down (the bot); a one-off check does not. */
    private readonly retryWhileDown = true,
  ) {
    const url = new URL(settings.url);
    this.secure = url.protocol === 'ldaps:';
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    const extraCa = settings.caFile ? [readFileSync(settings.caFile, 'utf8'), ...nodeExtraCaCerts()] : [];
    this.tlsOptions = {
      // Given a `ca`, Node trusts only it; its default CAs are added back so the file only adds to them.
      ...(extraCa.length > 0 ? { ca: [...tls.rootCertificates, ...extraCa] } : {}),
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      // SNI takes a host name, never an IP; the identity check uses `host` either way.
      ...(isIP(this.host) ? {} : { servername: this.host }),
    };
  }

  health(): DirectoryHealth {
    return { kind: this.settings.kind, state: this.state, ...(this.since !== undefined ? { since: this.since } : {}) };
  }

  /** The TLS session of the last connection made (for `directory check`). */
  tlsInUse(): TlsSummary | undefined {
    return this.lastTls;
  }

  /**
   * Runs `op` on the bound connection. The server's own answers (a refusal, no such object) come
   * back as the ldapts errors they are; a connection that fails or is too slow becomes a
   * DirectoryUnavailableError. `retry` (reads only) tries once more on a fresh connection, for a
   * connection the server closed while idle.
   */
  async run<T>(op: (client: Client) => Promise<T>, { retry = false } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.bound();
      try {
        // Checked in the same tick as the call: ldapts would otherwise reconnect by itself, unencrypted and unbound.
        if (!client.isBound) throw new Error('the connection closed');
        const result = await this.withTimeout(op(client), 'the operation');
        this.markUp();
        return result;
      } catch (err) {
        if (err instanceof ResultCodeError) {
          this.markUp();
          throw err;
        }
        this.drop(client);
        const reason = describe(err);
        if (retry && attempt === 0) continue;
        this.markDown(reason);
        throw new DirectoryUnavailableError(reason);
      }
    }
  }

  /** A fresh check that the directory answers (the background retry while down). */
  async probe(): Promise<void> {
    await this.run((client) => client.search('', { scope: 'base', attributes: ['objectClass'] }));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.unbind().catch(() => {});
  }

  private bound(): Promise<Client> {
    if (this.closed) return Promise.reject(new DirectoryUnavailableError('the directory connection is closed'));
    if (this.client?.isBound) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const sockets: Socket[] = [];
    let allowPlainConnect = !this.secure;
    let tlsSocket: TLSSocket | undefined;
    const { timeoutMs } = this.settings;
    const secureConnect = (...args: unknown[]): TLSSocket => {
      // ldapts calls this for ldaps:// with (port, host, options), and for StartTLS with (options holding the socket).
      const options: ConnectionOptions = typeof args[0] === 'number' ? { port: args[0], host: args[1] as string, ...(args[2] as ConnectionOptions) } : { ...(args[0] as ConnectionOptions), ...this.tlsOptions, host: this.host };
      const socket = tls.connect(options);
      tlsSocket = socket;
      sockets.push(socket);
      return socket;
    };
    const plainConnect = (...args: unknown[]): Socket => {
      // Only for this connect's StartTLS: a silent reconnect by ldapts later would be unencrypted.
      if (!allowPlainConnect) throw new Error('refusing to reconnect without TLS');
      allowPlainConnect = false;
      const socket = net.connect(args[0] as number, args[1] as string);
      sockets.push(socket);
      return socket;
    };
    const client = new Client({
      url: this.settings.url,
      timeout: timeoutMs,
      connectTimeout: timeoutMs,
      strictDN: false,
      tlsOptions: this.secure ? this.tlsOptions : undefined,
      createSecureConnection: secureConnect as unknown as typeof tls.connect,
      createConnection: plainConnect as unknown as typeof net.connect,
    });
    try {
      await this.withTimeout(
        (async () => {
          if (!this.secure) await client.startTLS({ ...this.tlsOptions, host: this.host });
          await client.bind(this.settings.bindDn, this.settings.bindPassword);
        })(),
        'connecting',
        () => sockets.forEach((s) => s.destroy()),
      );
    } catch (err) {
      sockets.forEach((s) => s.destroy());
      await client.unbind().catch(() => {});
      const reason = describeConnectFailure(err);
      this.markDown(reason);
      throw new DirectoryUnavailableError(reason);
    }
    this.lastTls = summarize(tlsSocket, !this.secure);
    this.client = client;
    return client;
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
    client.unbind().catch(() => {});
  }

  private withTimeout<T>(work: Promise<T>, what: string, onTimeout?: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = this.settings.timeoutMs;
    return Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          onTimeout?.();
          reject(new Error(`${what} took longer than ${limit} ms (LDAP_TIMEOUT_MS)`));
        }, limit);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  private markUp(): void {
    if (this.state === 'up') return;
    if (this.state === 'down') this.logger.info({ directory: this.settings.kind, url: this.settings.url }, 'the directory is reachable again');
    this.state = 'up';
    this.since = this.clock.now();
    this.retryDelay = RETRY_FIRST_MS;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private markDown(reason: string): void {
    if (this.state !== 'down') {
      this.logger.warn({ directory: this.settings.kind, url: this.settings.url, reason }, 'the directory is unreachable');
      this.state = 'down';
      this.since = this.clock.now();
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.retryWhileDown || this.closed || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.probe().catch(() => {
        /* still down: markDown scheduled the next try */
      });
    }, delay);
    this.retryTimer.unref();
  }
}

/** NODE_EXTRA_CA_CERTS, which Node adds to its defaults unless a `ca` is given (as it is with LDAP_CA_FILE). */
function nodeExtraCaCerts(): string[] {
  const file = process.env['NODE_EXTRA_CA_CERTS'];
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}

function summarize(socket: TLSSocket | undefined, startTls: boolean): TlsSummary | undefined {
  if (!socket) return undefined;
  const cert = socket.getPeerCertificate();
  const name = (n: Record<string, unknown> | undefined) => (n ? Object.entries(n).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '?');
  return {
    protocol: socket.getProtocol() ?? '?',
    cipher: socket.getCipher()?.name ?? '?',
    subject: name(cert?.subject as unknown as Record<string, unknown>),
    issuer: name(cert?.issuer as unknown as Record<string, unknown>),
    validTo: cert?.valid_to ?? '?',
    startTls,
  };
}

/** An operator's reading of a failed operation: what happened, never a secret. */
export function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code && typeof e.code === 'string') return `${e.code}: ${e.message}`;
  return e?.message ?? String(err);
}

/** Why connecting failed, in the words the README's troubleshooting uses (TLS, error 49 with its data code). */
export function describeConnectFailure(err: unknown): string {
  if (err instanceof ResultCodeError) {
    if (err.code === 49) {
      const data = /data ([0-9a-f]+)/i.exec(err.message)?.[1];
      const meaning = data ? AD_BIND_DATA[data.toLowerCase()] : undefined;
      return `the service account's bind was refused (error 49, invalid credentials${data ? `, data ${data}${meaning ? `: ${meaning}` : ''}` : ''}): check LDAP_BIND_DN and LDAP_BIND_PASSWORD`;
    }
    return `the directory refused the connection (error ${err.code}: ${err.message})`;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code && /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ERR_TLS|ERR_SSL/.test(e.code)) {
    return `TLS: the directory's certificate was not accepted (${e.code}: ${e.message}); give its CA in LDAP_CA_FILE, and use the host name the certificate names in LDAP_URL`;
  }
  return describe(err);
}

/** AD's `data` codes in a bind's error 49. */
const AD_BIND_DATA: Record<string, string> = {
  '52e': 'wrong password or no such account',
  '525': 'no such account',
  '530': 'not allowed to log on at this time',
  '531': 'not allowed to log on from this workstation',
  '532': 'password expired',
  '533': 'account disabled',
  '701': 'account expired',
  '773': 'the password must be changed first',
  '775': 'account locked out',
};
