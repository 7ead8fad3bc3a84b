import { simulateSms } from './simulateSms.js';

const result = await simulateSms(process.argv.slice(2));
(result.exitCode === 0 ? process.stdout : process.stderr).write(`${result.lines.join('\n')}\n`);
process.exitCode = result.exitCode;
