// `npm run admin`: plain JavaScript, so it runs the moment node starts. A command that asks for a PIN
// turns the terminal's echo off here, before tsx and the CLI load (a second or more), so nothing
// typed early is shown; the prompt (src/admin/pinPrompt.ts) then reads what was typed.
// The same test as pinPromptsFor() in pinPrompt.ts, which cannot be imported before tsx is.
const argv = process.argv.slice(2);
const readsPin = argv.length === 3 && argv[0] === 'accounts' && (argv[1] === 'check-pin' || argv[1] === 'set-pin') && !argv.some((a) => a.startsWith('-'));
if (process.stdin.isTTY && readsPin) process.stdin.setRawMode(true);
const { register } = await import('tsx/esm/api');
register();
await import('./main.ts');
