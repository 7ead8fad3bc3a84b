/**
 * The PIN prompt of `accounts check-pin` and `accounts set-pin`. Only Node's built-ins here: the
 * prompt takes the terminal (echo off) the moment the CLI starts, before the seconds it takes to
 * load the rest, so nothing typed early is ever shown.
 */

/** The prompts a command's PIN is read with, or undefined if the command reads no PIN. */
export function pinPromptsFor(argv: readonly string[]): string[] | undefined {
  if (argv.length !== 3 || argv[0] !== 'accounts' || argv.some((a) => a.startsWith('-'))) return undefined;
  if (argv[1] === 'check-pin') return ['PIN (not shown): '];
  if (argv[1] === 'set-pin') return ['New PIN (not shown): ', 'The same PIN again (not shown): '];
  return undefined;
}

/**
 * Reads one line per prompt from the terminal without echo, and resolves with them joined by
 * newlines. Raw mode is switched on before this returns, so keys typed from now on are never echoed.
 */
export function readHidden(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream, prompts: readonly string[]): Promise<string> {
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stderr.write(prompts[0] ?? '');
  const lines: string[] = [];
  let typed = '';
  return new Promise<string>((done) => {
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      done(lines.map((l) => `${l}\n`).join(''));
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          lines.push(typed);
          typed = '';
          stderr.write('\n');
          if (lines.length === prompts.length || ch === '\u0004') return finish();
          stderr.write(prompts[lines.length]!);
        } else if (ch === '\u0003') {
          stdin.setRawMode(false);
          stderr.write('\n');
          process.exit(130);
        } else if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
