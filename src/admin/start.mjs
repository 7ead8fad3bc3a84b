// `npm run admin`: plain JavaScript, so it runs the moment node starts. A command that asks for a PIN
// turns the terminal's echo off here, before tsx and the CLI load (a second or more), so nothing
// typed early is shown; the prompt (src/admin/pinPrompt.ts) then reads what was typed.
const [command, subcommand] = process.argv.slice(2);
if (process.stdin.isTTY && command === 'accounts' && (subcommand === 'check-pin' || subcommand === 'set-pin')) process.stdin.setRawMode(true);
const { register } = await import('tsx/esm/api');
register();
await import('./main.ts');
