import { startPostgres, stopPostgres, createDatabase } from '../test/support/servers/postgres.ts';
import { PgStore } from '../src/adapters/store/postgres/pgStore.ts';
import pg from 'pg';
const s = await startPostgres('micro');
const url = await createDatabase(s);
const store = await PgStore.open({ url, poolSize: 10 });
for (let i = 0; i < 1000; i++) await store.accounts.put({ uid: 'u' + i, name: 'n', email: 'e@x', createdAt: Date.now(), updatedAt: Date.now() });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (const conc of [1, 10, 50]) {
  const N = 10000; let next = 0;
  const c0 = cpu(), t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { while (next < N) { next++; await store.accounts.get('u' + (next % 1000)); } }));
  const ms = performance.now() - t0, c = cpu() - c0;
  console.log(`get conc=${conc}: ${(N / ms * 1000).toFixed(0)} q/s, node cpu/query ${(c / N * 1000).toFixed(0)} us`);
}
// raw pg
const pool = new pg.Pool({ connectionString: url, max: 10 });
for (const conc of [10]) {
  const N = 10000; let next = 0;
  const c0 = cpu(), t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { while (next < N) { next++; await pool.query({ text: 'SELECT uid, name FROM accounts WHERE uid = $1', values: ['u' + (next % 1000)], name: 'x' }); } }));
  const ms = performance.now() - t0, c = cpu() - c0;
  console.log(`raw pg conc=${conc}: ${(N / ms * 1000).toFixed(0)} q/s, node cpu/query ${(c / N * 1000).toFixed(0)} us`);
}
await pool.end(); await store.close(); stopPostgres(s);
