import { postgresServer, createDatabase } from '../test/support/servers/postgres.ts';
import { startApp } from '../test/support/app.ts';
import { BotClient } from '../test/support/botClient.ts';
const url = await createDatabase(await postgresServer());
const r = await startApp({ STORE: 'postgres', DATABASE_URL: url, SERVER_SECRET: 'x'.repeat(40) });
await r.app.services.directory.importAccount({ uid: 'jdoe', name: 'J', email: 'jdoe@example.edu' });
for (const script of [['\u0000'], ['register', '\u0000'], ['reset', 'jd\u0000oe'], ['reset', 'jdoe', '\u0000'], ['reset', 'jdoe', 'sms', '12\u00003456'], ['hi\u0000there']]) {
  const c = new BotClient(r.baseUrl);
  const out: string[] = [];
  for (const t of script) out.push((await c.send(t)).join(' | ').slice(0, 80));
  console.log(JSON.stringify(script), '=>', out);
}
console.log(r.logs().includes('turn failed') ? 'TURN FAILED' : 'no turn failure');
await r.app.close();
process.exit(0);
