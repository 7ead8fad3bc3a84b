import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { DIRECTORIES, type TestDirectory } from './support/directories.js';
import { LdapTestApp, pageText } from './support/ldapApp.js';
import { TcpProxy } from './support/tcpProxy.js';
import { recordSecret } from './support/secrets.js';

/**
 * A directory that is unreachable, slow, or not what its certificate says: users get a polite
 * "try again in a few minutes" (never a 500), nothing is used up, /healthz keeps answering and
 * names the directory's state, and the bot recovers by itself when the directory is back. The
 * faults are made by a TCP proxy in front of the shared server, so other test files are untouched.
 */
const PIN = 'Steady-Lantern-2468!k';
const UNREACHABLE = "I can't reach the account directory right now; please try again in a few minutes.";

describe.each(DIRECTORIES)('%s', (_name, kind, open) => {
  let directory: TestDirectory;
  const apps: LdapTestApp[] = [];
  const proxies: TcpProxy[] = [];
  /** An app whose directory traffic goes through a proxy (ldaps:// by default, ldap:// + StartTLS with `startTls`). */
  const behindProxy = async (options: { startTls?: boolean; extra?: Record<string, string>; listenHost?: string } = {}) => {
    const proxy = new TcpProxy(options.startTls ? directory.port : directory.ldapsPort, options.listenHost);
    proxies.push(proxy);
    const port = await proxy.up();
    const app = await LdapTestApp.start(directory, { url: `${options.startTls ? 'ldap' : 'ldaps'}://${options.listenHost ?? '127.0.0.1'}:${port}`, extra: { LDAP_TIMEOUT_MS: '1500', ...options.extra } });
    apps.push(app);
    return { proxy, app };
  };
  const account = async (app: LdapTestApp, prefix: string) => {
    const uid = await directory.addUser({ uid: prefix, pin: PIN });
    const email = `${uid}@gmail.com`;
    await app.registerContacts(uid, email, `+8525${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`);
    return { uid, email };
  };
  const health = async (app: LdapTestApp) => {
    const res = await fetch(`${app.baseUrl}/healthz`);
    return { status: res.status, body: (await res.json()) as { status: string; directory: { kind: string; state: string } } };
  };

  beforeAll(async () => {
    directory = await open();
  }, 300_000);
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await Promise.all(proxies.splice(0).map((p) => p.down()));
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });

  test('the directory goes down in the middle of a flow, then comes back: users are told to try again, nothing is used up, and it works again without a restart', async () => {
    const { proxy, app } = await behindProxy();
    const a = await account(app, 'downa');
    const b = await account(app, 'downb');
    const url = await app.emailLinkFor(a.uid, a.email);
    const userB = app.chat();
    await userB.send('reset');
    await userB.send(b.uid);

    await proxy.down();
    // The PIN page: a polite 503, the PIN not set, the link still there.
    const newPin = 'Back-Again-Lantern-97!m';
    recordSecret('pin', newPin);
    const page = await app.setPin(url, newPin);
    expect({ status: page.status, text: pageText(page.html) }).toEqual({ status: 503, text: expect.stringContaining("I can't reach the account directory right now, so nothing was changed.") });
    expect((await app.open(url)).status).toBe(200);
    // The chat: the same words for everyone, and the question stays open.
    expect(await userB.send('email')).toEqual([UNREACHABLE]);
    expect(await health(app)).toEqual({ status: 200, body: { status: 'ok', directory: expect.objectContaining({ kind, state: 'down' }) } });

    await proxy.up();
    expect(await userB.send('email')).toEqual([expect.stringContaining(`If **${b.uid}** has a registered alternate email, I have sent a link to it, unless`)]);
    expect((await app.setPin(url, newPin)).status).toBe(200);
    expect(await directory.canBind(a.uid, newPin)).toBe(true);
    expect(await health(app)).toEqual({ status: 200, body: { status: 'ok', directory: expect.objectContaining({ kind, state: 'up' }) } });

    const audit = (await app.services.auditLog.readReport({})).events.filter((e) => e.event === 'directory.unreachable');
    expect(audit.map((e) => e.detail?.['during']).sort()).toEqual(['chat', 'pin-page']);
    expect(app.running.logs()).toContain('the directory is unreachable');
    expect(app.running.logs()).toContain('the directory is reachable again');
    expect(app.running.logs()).not.toContain(directory.env()['LDAP_BIND_PASSWORD']);
  });

  test('a directory that answers too slowly counts as unreachable after LDAP_TIMEOUT_MS, and the bot recovers by itself', async () => {
    const { proxy, app } = await behindProxy();
    const { uid } = await account(app, 'slow');
    const user = app.chat();
    await user.send('reset');
    await user.send(uid);
    proxy.stall();
    const began = Date.now();
    expect(await user.send('sms')).toEqual([UNREACHABLE]);
    expect(Date.now() - began).toBeLessThan(10_000);
    await proxy.up();
    expect(await user.send('sms')).toEqual([expect.stringContaining(`If **${uid}** has a registered mobile number, I have sent a 6-digit code`)]);
  });

  test('lookups share one persistent TLS connection: no new handshake per lookup', async () => {
    const { proxy, app } = await behindProxy();
    const { uid } = await account(app, 'pool');
    for (let i = 0; i < 6; i++) {
      const user = app.chat();
      await user.send('reset');
      await user.send(uid);
      await user.send(i % 2 ? 'email' : 'sms');
    }
    expect(proxy.connections).toBe(1);
  });

  test('ldap:// always upgrades with StartTLS: no bind password, PIN or account name crosses the network in clear', async () => {
    const { proxy, app } = await behindProxy({ startTls: true });
    const { uid, email } = await account(app, 'clear');
    const newPin = 'Hidden-Lantern-8642!w';
    recordSecret('pin', newPin);
    expect((await app.setPin(await app.emailLinkFor(uid, email), newPin)).status).toBe(200);
    expect(await directory.canBind(uid, newPin)).toBe(true);
    const sent = proxy.clientBytes();
    // The StartTLS request (its OID) is the one thing sent in clear.
    expect(sent.includes(Buffer.from('1.3.6.1.4.1.1466.20037'))).toBe(true);
    for (const secret of [directory.env()['LDAP_BIND_PASSWORD']!, newPin, uid]) {
      expect({ secret: secret.slice(0, 3), inClear: sent.includes(Buffer.from(secret)) || sent.includes(Buffer.from(secret, 'utf16le')) }).toEqual({ secret: secret.slice(0, 3), inClear: false });
    }
  });

  test("the certificate and the host name are always verified: an untrusted CA or another host's certificate means no connection", async () => {
    // Without LDAP_CA_FILE the test CA is not trusted (the system's CAs do not include it).
    const untrusted = await behindProxy({ extra: { LDAP_CA_FILE: '' } });
    // Trusted CA, but the certificate names 127.0.0.1, not 127.0.0.2.
    const otherHost = await behindProxy({ listenHost: '127.0.0.2' });
    for (const { app } of [untrusted, otherHost]) {
      const { uid } = await account(app, 'tls');
      const user = app.chat();
      await user.send('reset');
      await user.send(uid);
      expect(await user.send('email')).toEqual([UNREACHABLE]);
      const report = await app.services.directory.diagnose(uid);
      expect(report.problem).toMatch(/TLS: the directory's certificate was not accepted/);
      expect(app.running.logs()).toMatch(/TLS: the directory's certificate was not accepted/);
    }
  });
});
