import { settings, type SettingDoc } from './schema.js';

/** The text of `.env.example`: every setting, its description, and its default or an example. */
export function renderEnvExample(): string {
  const lines = [
    '# pin-reset-bot configuration. Copy to .env and edit; real environment variables win over .env.',
    '# Generated from src/config/schema.ts by `npm run env:example`; a test keeps it in step.',
    '',
  ];
  for (const [name, setting] of Object.entries(settings)) {
    const doc: SettingDoc = setting.doc;
    lines.push(`# ${doc.description}`);
    const parsed = setting.schema.safeParse(undefined);
    const dflt = parsed.success && parsed.data !== undefined ? formatDefault(parsed.data) : '';
    lines.push(`${doc.example || !dflt ? '# ' : ''}${name}=${quote(doc.example ?? dflt)}`);
    lines.push('');
  }
  return lines.join('\n');
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Quotes a value only where .env parsing (node:util parseEnv, dotenv) would otherwise change it; escapes are not supported there. */
function quote(value: string): string {
  if (!/#|^\s|\s$|^["'`]|\n/.test(value)) return value;
  const mark = ['"', "'", '`'].find((q) => !value.includes(q));
  if (!mark) throw new Error(`Cannot write ${JSON.stringify(value)} as a .env value: it contains every kind of quote.`);
  return `${mark}${value}${mark}`;
}
