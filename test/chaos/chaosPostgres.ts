/**
 * Crash safety with several instances on PostgreSQL (`CHAOS_STORE=postgres npm run test:chaos`):
 * two real bot processes on one database, concurrent registrations spread over them turn by turn
 * (as a load balancer would), an instance SIGKILLed at random moments and restarted, and PostgreSQL
 * itself restarted once mid-run. After every kill, and at the end, every registration a bot
 * confirmed must be in the database. Without DATABASE_URL a throwaway PostgreSQL 15 is started.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PgStore } from '../../src/adapters/store/postgres/pgStore.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/ports/logger.js';
import { openServices } from '../../src/services.js';
import { BotInstance, Conversation, waitForMessage } from '../support/instances.js';
import { createDatabase, restartPostgres, startPostgres, stopPostgres, type PostgresServer } from '../support/servers/postgres.js';
import { TEST_SERVER_SECRET, tempDataDir } from '../support/services.js';

export interface PostgresChaosOptions {
  kills: number;
  workers: number;
  accounts: number;
  upMs: [number, number];
  log: (line: string) => void;
}

export interface PostgresChaosResult {
  kills: number;
  confirmed: number;
  lost: number;
  corrupt: number;
  attempts: number;
  postgresRestarts: number;
  problems: string[];
}

interface Registration {
  uid: string;
  email: string;
  mobile: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]: [number, number]) => lo + Math.floor(Math.random() * (hi - lo + 1));
const registrationFor = (i: number): Registration => ({ uid: `p${i}`, email: `a${i}@m${i}.example.com`, mobile: `+85261${String(i).padStart(6, '0')}` });

export async function runPostgresChaos(o: PostgresChaosOptions): Promise<PostgresChaosResult> {
  const result: PostgresChaosResult = { kills: 0, confirmed: 0, lost: 0, corrupt: 0, attempts: 0, postgresRestarts: 0, problems: [] };
  let server: PostgresServer | undefined;
  let url = process.env['DATABASE_URL'];
  if (!url) {
    o.log('starting a throwaway PostgreSQL 15…');
    server = await startPostgres('chaos');
    url = await createDatabase(server, 'chaos');
  }
  const env = { DATABASE_URL: url, SENDS_PER_ACCOUNT_PER_HOUR: '100', SENDS_PER_ACCOUNT_PER_DAY: '1000', SENDS_PER_DESTINATION_PER_HOUR: '100', MESSAGES_PER_CONVERSATION_PER_MINUTE: '1000' };
  const instances = [await BotInstance.create('chaos-a', env), await BotInstance.create('chaos-b', env)];
  try {
    const setupDir = await tempDataDir();
    await mkdir(setupDir, { recursive: true });
    const setup = await openServices(loadConfig({ DATA_DIR: setupDir, LOG_LEVEL: 'silent', STORE: 'postgres', DATABASE_URL: url, SERVER_SECRET: TEST_SERVER_SECRET }, null), { logger: silentLogger });
    try {
      for (let start = 0; start < o.accounts; start += 500) {
        const batch = Array.from({ length: Math.min(500, o.accounts - start) }, (_, k) => start + k);
        await Promise.all(batch.map((i) => setup.embeddedDirectory!.importAccount({ uid: `p${i}`, name: `Chaos ${i}`, email: `p${i}@example.edu` })));
      }
    } finally {
      await setup.close();
    }
    o.log("starting the instances…");
    for (const instance of instances) await instance.start();
    o.log("instances up");

    const confirmed: Registration[] = [];
    const lost = new Set<string>();
    let next = 0;
    let stopping = false;
    let turns = 0;
    let failures = 0;
    /** The load balancer: each turn to the next instance that is up. */
    const pick = () => {
      const up = instances.filter((i) => i.up);
      return up.length === 0 ? undefined : up[turns++ % up.length];
    };

    const register = async (r: Registration): Promise<boolean> => {
      const user = new Conversation();
      const step = async (text: string, want: RegExp) => {
        const instance = pick();
        if (!instance) throw new Error('no instance up');
        const replies = await user.say(instance, text);
        if (!replies.some((t) => want.test(t))) throw new Error(`unexpected reply: ${replies.join(' | ').slice(0, 200)}`);
        return replies;
      };
      const code = (to: string) => waitForMessage(instances, to, /\b(\d{6})\b/, 0, 4000);
      try {
        await step('register', /portal UID/);
        await step(r.uid, /6-digit code/);
        await step(await code(`${r.uid}@example.edu`), /alternate email/);
        await step(r.email, /I have sent/);
        await step(await code(r.email), /mobile number/);
        await step(r.mobile.slice(4), /by SMS/);
        const replies = await step(await code(r.mobile), /All done/);
        const [domain, last4] = [r.email.split('@')[1]!, r.mobile.slice(-4)];
        return replies.some((t) => t.includes(`a•••@${domain}`) && t.includes(`+852 ••••${last4}`));
      } catch (err) {
        if (failures++ < 5) o.log(`registration ${r.uid} failed: ${(err as Error).message}`);
        return false;
      }
    };

    const worker = async () => {
      while (!stopping && next < o.accounts) {
        if (!instances.some((i) => i.up)) {
          await sleep(50);
          continue;
        }
        const r = registrationFor(next++);
        result.attempts++;
        if (await register(r)) confirmed.push(r);
        // As a person would, try again a little later (the database may be restarting).
        else await sleep(500);
      }
    };

    /** Every registration confirmed so far, read back from the database through the store's own loader. */
    const check = async (label: string) => {
      let store: PgStore | undefined;
      try {
        store = await PgStore.open({ url: url!, poolSize: 2 });
        for (const r of [...confirmed]) {
          const c = await store.contacts.get(r.uid);
          if (!c || c.email !== r.email || c.mobile !== r.mobile || c.source !== 'self') lost.add(r.uid);
        }
      } catch (err) {
        result.corrupt++;
        result.problems.push(`after ${label}: the database does not open: ${(err as Error).message}`);
      } finally {
        await store?.close();
      }
    };

    const workers = Array.from({ length: o.workers }, () => worker());
    const restartAt = server ? Math.max(1, Math.ceil(o.kills / 2)) : 0;
    try {
      for (let k = 1; k <= o.kills && next < o.accounts; k++) {
        await sleep(between(o.upMs));
        const victim = instances[k % instances.length]!;
        o.log(`kill ${k}: ${victim.name}`);
        await victim.kill();
        result.kills++;
        await check(`kill ${k}`);
        if (k === restartAt && server) {
          o.log('restarting PostgreSQL…');
          restartPostgres(server);
          result.postgresRestarts++;
        }
        try {
          await victim.start();
          o.log(`${victim.name} restarted`);
        } catch (err) {
          result.corrupt++;
          result.problems.push(`kill ${k}: restart failed: ${(err as Error).message}`);
          break;
        }
      }
      await sleep(between(o.upMs));
    } finally {
      stopping = true;
      await Promise.all(workers);
      for (const instance of instances) {
        const code = await instance.stop();
        if (code !== null && code !== 0) result.problems.push(`${instance.name}: the final graceful stop exited ${code}`);
      }
    }
    await check('the final stop');
    result.confirmed = confirmed.length;
    result.lost = lost.size;
    if (result.lost > 0) result.problems.push(`confirmed registrations missing from the database: ${[...lost].slice(0, 10).join(', ')}`);
    if (result.problems.length > 0) o.log(`instance files kept in ${instances.map((i) => join(i.dataDir, 'logs')).join(', ')}`);
    return result;
  } finally {
    await Promise.all(instances.map((i) => i.kill()));
    if (server) stopPostgres(server);
  }
}

export function postgresSummary(r: PostgresChaosResult): string {
  return `kills=${r.kills} confirmed=${r.confirmed} lost=${r.lost} corrupt=${r.corrupt} (store postgres, 2 instances, registrations tried ${r.attempts}, PostgreSQL restarted ${r.postgresRestarts} time${r.postgresRestarts === 1 ? '' : 's'})`;
}
