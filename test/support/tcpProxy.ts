import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the bot and a directory, which a test can take down, stall or bring back:
 * a network fault without touching the shared server other test files use. It also counts the
 * connections made through it and keeps what the client sent (to show nothing crossed in clear).
 */
export class TcpProxy {
  /** Connections accepted while up (each one is a TCP connection, and a TLS handshake, by the bot). */
  connections = 0;
  private readonly sent: Buffer[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private mode: 'up' | 'stall' = 'up';
  private port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly listenHost = '127.0.0.1',
    private readonly targetHost = '127.0.0.1',
  ) {}

  /** Starts listening (on the same port as before, after `down`); resolves with the port. */
  async up(): Promise<number> {
    this.mode = 'up';
    if (this.server) return this.port;
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.listenHost, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** Unreachable: every connection is cut and new ones are refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Slow: connections are accepted and open ones kept, but nothing is passed on either way. */
  stall(): void {
    this.mode = 'stall';
    for (const s of this.sockets) s.pause();
  }

  /** Everything clients sent through the proxy, as one buffer. */
  clientBytes(): Buffer {
    return Buffer.concat(this.sent);
  }

  get url(): string {
    return `${this.listenHost}:${this.port}`;
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => {});
    if (this.mode === 'stall') {
      client.pause();
      return;
    }
    this.connections++;
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (chunk: Buffer) => {
      if (this.sent.reduce((n, b) => n + b.length, 0) < 1_000_000) this.sent.push(chunk);
      if (this.mode === 'up') upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode === 'up') client.write(chunk);
    });
  }
}
