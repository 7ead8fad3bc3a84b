import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startApp, type RunningApp } from './app.js';
import { BotClient } from './botClient.js';
import { recordSecret, recordSecretsIn } from './secrets.js';
import type { TestDirectory } from './directories.js';

export const LINK = /https?:\/\/\S+\/(reset|unlock)\/([A-Za-z0-9_-]{32})/;
const CSRF = /name="csrf" value="([^"]+)"/;

export interface Sent {
  to: string;
  text: string;
}

/**
 * The real server (HTTP, CloudAdapter, store on disk, outbox transports) on DIRECTORY=ldap against
 * a real directory, with what the tests do through it: chat, read the outbox as a user reads their
 * phone and mailbox, and use the PIN and unlock pages.
 */
export class LdapTestApp {
  private constructor(
    readonly running: RunningApp,
    readonly directory: TestDirectory,
  ) {}

  static async start(directory: TestDirectory, options: { url?: string; extra?: Record<string, string> } = {}): Promise<LdapTestApp> {
    // The fake Bot Connector on 127.0.0.1 vouches for Teams users here (see TRUST_UNVERIFIED_TEAMS_IDENTITY).
  const running = await startApp({ ...directory.env(options), SMS_MAX_PER_HOUR: '100000', TRUST_UNVERIFIED_TEAMS_IDENTITY: 'true', ...options.extra });
    return new LdapTestApp(running, directory);
  }

  get baseUrl(): string {
    return this.running.baseUrl;
  }

  get services() {
    return this.running.app.services;
  }

  close(): Promise<void> {
    return this.running.app.close();
  }

  chat(): BotClient {
    return new BotClient(this.running.baseUrl);
  }

  /** Registers contacts for an account in the bot's store, as a finished registration would. */
  async registerContacts(uid: string, email: string, mobile: string): Promise<void> {
    const now = this.running.clock.now();
    await this.services.store.contacts.put({ uid, email, mobile, source: 'self', verifiedAt: now, updatedAt: now });
  }

  async outbox(kind: 'mail' | 'sms'): Promise<Sent[]> {
    await this.services.background.drain();
    const text = await readFile(join(this.running.dataDir, 'outbox', `${kind}.jsonl`), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, string>)
      .map((m) => ({ to: m['to']!, text: m[kind === 'mail' ? 'text' : 'body']! }));
  }

  /** The newest code texted or mailed to `to`. */
  async lastCode(kind: 'mail' | 'sms', to: string): Promise<string> {
    const sent = (await this.outbox(kind)).filter((m) => m.to === to).at(-1);
    recordSecretsIn(sent?.text);
    const code = /\b(\d{6})\b/.exec(sent?.text ?? '')?.[1];
    if (!code) throw new Error(`no code sent to ${to}`);
    return code;
  }

  /** The newest link mailed to `to`, as [full URL, page kind, token]. */
  async lastLink(to: string): Promise<{ url: string; token: string }> {
    const sent = (await this.outbox('mail')).filter((m) => m.to === to && LINK.test(m.text)).at(-1);
    const match = LINK.exec(sent?.text ?? '');
    if (!match) throw new Error(`no link mailed to ${to}`);
    recordSecret('token', match[2]);
    return { url: match[0], token: match[2]! };
  }

  /** The CSRF value of a page (GET), and the page itself. */
  async open(url: string): Promise<{ status: number; html: string; csrf?: string }> {
    const res = await fetch(url, { headers: { 'accept-language': 'en' } });
    const html = await res.text();
    const csrf = CSRF.exec(html)?.[1];
    return { status: res.status, html, ...(csrf ? { csrf } : {}) };
  }

  /** POSTs the PIN form (GET first, for its CSRF value, as a browser would). */
  async setPin(url: string, pin: string, confirm = pin): Promise<{ status: number; html: string }> {
    recordSecret('pin', pin);
    const { csrf } = await this.open(url);
    return this.post(url, { csrf: csrf ?? '', pin, confirm });
  }

  async post(url: string, fields: Record<string, string>): Promise<{ status: number; html: string }> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' }, body: new URLSearchParams(fields).toString() });
    return { status: res.status, html: await res.text() };
  }

  /** A reset by email, from the chat to the link in the alternate email's inbox. */
  async emailLinkFor(uid: string, altEmail: string): Promise<string> {
    const user = this.chat();
    await user.send('reset');
    await user.send(uid);
    await user.send('email');
    return (await this.lastLink(altEmail)).url;
  }

  /** A reset by SMS, from the chat to the PIN-page link given after the code. */
  async smsLinkFor(uid: string, mobile: string): Promise<string> {
    const user = this.chat();
    await user.send('reset');
    await user.send(uid);
    await user.send('sms');
    const [reply] = await user.send(await this.lastCode('sms', mobile));
    const url = LINK.exec(reply ?? '')?.[0];
    if (!url) throw new Error(`no PIN-page link after the code: ${reply}`);
    return url;
  }
}

/** The page's text without tags, for asserting what a user reads. */
export const pageText = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
