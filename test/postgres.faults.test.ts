/**
 * PostgreSQL going away under a running bot, on a server of this file's own (the shared one must
 * stay up for the other files): polite answers in the user's language, /healthz 503 naming the
 * database, no crash, recovery without a restart; and commits that survive the server crashing.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { PgStore } from '../src/adapters/store/postgres/pgStore.js';
import { postInboundSms } from '../src/channels/sms/inboundRequest.js';
import { startApp, type RunningApp } from './support/app.js';
import { createDatabase, pgStart, pgStop, sql, startPostgres, stopPostgres, type PostgresServer } from './support/servers/postgres.js';
import { TEST_SERVER_SECRET } from './support/services.js';

const AUTH_TOKEN = 'test-auth-token-faults-0123456789';
let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres('pgfaults');
}, 120_000);
afterAll(() => {
  if (server) stopPostgres(server);
});

/** A Bot Framework client (expectReplies) that sends a locale, as Teams and Web Chat do. */
function chat(baseUrl: string, locale: string) {
  const conversation = `conv-${randomUUID()}`;
  return async (text: string): Promise<{ status: number; replies: string[] }> => {
    const res = await fetch(`${baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: randomUUID(), text, locale, channelId: 'emulator', serviceUrl: 'http://localhost/unused', from: { id: `u-${conversation}` }, recipient: { id: 'bot' }, conversation: { id: conversation }, deliveryMode: 'expectReplies' }),
    });
    const body = (await res.json()) as { activities?: { type: string; text?: string }[] };
    return { status: res.status, replies: (body.activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '') };
  };
}

async function waitForHealth(baseUrl: string, status: number, withinMs = 30_000): Promise<void> {
  const until = Date.now() + withinMs;
  for (;;) {
    const res = await fetch(`${baseUrl}/healthz`);
    if (res.status === status) return;
    if (Date.now() > until) throw new Error(`/healthz stayed ${res.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('PostgreSQL down while the bot runs', () => {
  let running: RunningApp;
  afterAll(async () => {
    await running?.app.close();
  });

  test('the turn gets a polite try-again in the user language, /healthz answers 503 naming the database, nothing crashes, and it recovers by itself', async () => {
    const url = await createDatabase(server);
    running = await startApp({ STORE: 'postgres', DATABASE_URL: url, SERVER_SECRET: TEST_SERVER_SECRET, SMS_TRANSPORT: 'outbox', TWILIO_AUTH_TOKEN: AUTH_TOKEN });
    await running.app.services.embeddedDirectory!.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu' });
    const en = chat(running.baseUrl, 'en-US');
    const zh = chat(running.baseUrl, 'zh-HK');
    expect((await en('reset')).replies).toEqual([expect.stringContaining('What is your portal UID?')]);
    const database = new URL(url).pathname.slice(1);

    pgStop(server);
    let stopped = true;
    try {
      expect(await en('jdoe')).toEqual({ status: 200, replies: [expect.stringMatching(/^Sorry, I cannot reach our records just now, so nothing was changed\. Please try again in a few minutes/)] });
      expect(await zh('重設')).toEqual({ status: 200, replies: [expect.stringMatching(/^抱歉，系統暫時未能存取紀錄，這次沒有作出任何更改。請過幾分鐘再試/)] });
      const health = await fetch(`${running.baseUrl}/healthz`);
      expect(health.status).toBe(503);
      // The directory is named as well: it is up, so it is the database that is wrong.
      expect(await health.json()).toEqual({ status: 'unavailable', store: expect.stringContaining(`the database (PostgreSQL at 127.0.0.1:${server.port}/${database}) is not reachable`), directory: { kind: 'embedded', state: 'up' } });
      const page = await fetch(`${running.baseUrl}/reset/${'A'.repeat(32)}`, { headers: { 'accept-language': 'zh-HK' } });
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('請過幾分鐘再試');
      // A text from Twilio cannot even be checked against replays: 503, so Twilio may try again, never a 500.
      const sms = await postInboundSms({ baseUrl: running.baseUrl, authToken: AUTH_TOKEN, from: '+85291234567', to: '+85230001234', body: 'reset' });
      expect({ status: sms.status, retryAfter: sms.headers.get('retry-after'), body: await sms.json() }).toEqual({ status: 503, retryAfter: '120', body: { code: 'ServiceUnavailable', message: expect.stringContaining('Try again in a few minutes') } });
      expect(running.logs()).toContain('the store is unavailable');
      expect(running.logs()).not.toContain(server.password);
    } finally {
      // Started again even when a check above failed, so the other tests of the file find it running.
      if (stopped) pgStart(server);
      stopped = false;
    }
    await waitForHealth(running.baseUrl, 200);
    // The conversation carries on where it was: the UID is asked for no second time.
    expect((await en('jdoe')).replies).toEqual([expect.stringContaining('How would you like to verify')]);
  }, 120_000);
});

/** The server's processes: the postmaster and its children (read from /proc). */
function serverProcesses(postmaster: number): { pid: number; name: string }[] {
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return { pid: Number(d), ppid, name: readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ') };
      } catch {
        return { pid: 0, ppid: 0, name: '' };
      }
    })
    .filter((p) => p.ppid === postmaster);
  return [{ pid: postmaster, name: 'postmaster' }, ...children];
}

describe('a write the user was told is saved is committed', () => {
  test('it survives PostgreSQL crashing right after, even where the database default is asynchronous commit', async () => {
    const url = await createDatabase(server);
    const database = new URL(url).pathname.slice(1);
    // The database would acknowledge commits before their WAL is flushed.
    await sql(url, `ALTER DATABASE ${database} SET synchronous_commit = off`);
    const store = await PgStore.open({ url, poolSize: 4 });
    const raw = new pg.Client({ connectionString: url });
    raw.on('error', () => undefined); // the crash below cuts it
    await raw.connect();
    await raw.query('CREATE TABLE control (n integer)');
    const postmaster = server.pids[0]!;
    // The WAL writer is frozen: from here on only a committing session's own flush makes its WAL durable.
    const walWriter = serverProcesses(postmaster).find((p) => p.name.includes('walwriter'));
    expect(walWriter).toBeDefined();
    process.kill(walWriter!.pid, 'SIGSTOP');
    const now = Date.now();
    for (let i = 0; i < 20; i++) await store.contacts.put({ uid: `u${i}`, email: `u${i}@gmail.com`, mobile: '+85291234567', source: 'self', verifiedAt: now, updatedAt: now });
    // The control: the same kind of writes, acknowledged without waiting for their WAL.
    for (let n = 0; n < 50; n++) await raw.query('INSERT INTO control VALUES ($1)', [n]);
    // The crash: every process of the server killed at once, as a lost VM would leave it.
    const processes = serverProcesses(postmaster);
    for (const p of processes) process.kill(p.pid, 'SIGKILL');
    const gone = (pid: number) => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    while (!processes.every((p) => gone(p.pid))) await new Promise((r) => setTimeout(r, 50));
    // A dead postmaster left unreaped (a zombie) still "owns" its lock files; the process is gone, so they go.
    rmSync(join(server.dir, 'data', 'postmaster.pid'), { force: true });
    rmSync(join(server.dir, `.s.PGSQL.${server.port}.lock`), { force: true });
    await raw.end().catch(() => undefined);
    await store.close().catch(() => undefined);
    pgStart(server);
    const after = await PgStore.open({ url, poolSize: 2 });
    try {
      expect(await after.contacts.count()).toBe(20);
      expect((await after.contacts.get('u19'))?.email).toBe('u19@gmail.com');
    } finally {
      await after.close();
    }
    // Writes acknowledged without their flush are lost in such a crash: the check above can fail.
    expect(await sql(url, 'SELECT count(*)::int AS n FROM control')).toEqual([{ n: 0 }]);
  }, 120_000);
});
