import { postgresServer, createDatabase, sql } from '../test/support/servers/postgres.ts';
import { startApp } from '../test/support/app.ts';
import { BotClient } from '../test/support/botClient.ts';
const url = await createDatabase(await postgresServer());
const r = await startApp({ STORE: 'postgres', DATABASE_URL: url, SERVER_SECRET: 'x'.repeat(40) });
await r.app.services.directory.importAccount({ uid: 'jdoe', name: 'J', email: 'jdoe@example.edu' });
const c = new BotClient(r.baseUrl);
await c.send('reset'); await c.send('jdoe');
console.log(await sql(url, "SELECT key, length(value::text) AS len, pg_column_size(value) AS stored FROM bot_state"));
const t = await sql(url, "SELECT jsonb_typeof(value) FROM bot_state LIMIT 1");
try { await sql(url, `SELECT '{"a":"\\u0000"}'::jsonb`); console.log('jsonb nul ok'); } catch (e) { console.log('jsonb nul:', (e as Error).message); }
try { await sql(url, `SELECT '{"a":"\\u0000"}'::json`); console.log('json nul ok'); } catch (e) { console.log('json nul:', (e as Error).message); }
await r.app.close();
process.exit(0);
