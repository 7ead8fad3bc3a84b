import { startPostgres, stopPostgres, createDatabase, socketDatabaseUrl } from '../test/support/servers/postgres.ts';
import { PgStore } from '../src/adapters/store/postgres/pgStore.ts';
const s = await startPostgres('sock');
const url = await createDatabase(s);
const db = new URL(url).pathname.slice(1);
for (const u of [url, socketDatabaseUrl(s, db)]) {
  const store = await PgStore.open({ url: u, poolSize: 10 });
  for (let i = 0; i < 1000; i++) await store.accounts.put({ uid: 'u' + i, name: 'n', email: 'e@x', createdAt: Date.now(), updatedAt: Date.now() });
  const cpu = () => { const x = process.cpuUsage(); return (x.user + x.system) / 1000; };
  const N = 10000; let next = 0; const c0 = cpu(), t0 = performance.now();
  await Promise.all(Array.from({ length: 10 }, async () => { while (next < N) { next++; await store.accounts.get('u' + (next % 1000)); } }));
  console.log(u.includes('host=') ? 'socket' : 'tcp', (N / (performance.now() - t0) * 1000).toFixed(0), 'q/s, cpu/query us', ((cpu() - c0) / N * 1000).toFixed(0));
  await store.close();
}
stopPostgres(s);
