import { describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';

/** The README's Security table names tests; each must exist, so the table cannot drift from test/. */
describe('the README Security table', () => {
  test('every test it names exists in the file it names', async () => {
    const readme = await readFile('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Security\n'));
    const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Promise') && l.includes('`test/'));
    expect(rows.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const row of rows) {
      const cell = row.split(' | ').at(-1)!.replace(/ \|$/, '');
      for (const [, file, names] of cell.matchAll(/`(test\/[^`]+)`: (.*?)(?=; `test\/|$)/g)) {
        const named = [...names!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
        if (named.length === 0) missing.push(`${file}: no "test name" given`);
        const source = await readFile(file!, 'utf8').catch(() => '');
        // Test titles as written, with ${...} in template titles matching anything.
        const titles = [...source.matchAll(/\btest\((['"`])((?:\\.|(?!\1).)*)\1/g)].map(([, , title]) =>
          new RegExp(`^${title!.replace(/\\(['"`])/g, '$1').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\$\\\{[^}]*\\\}/g, '.*')}$`),
        );
        for (const name of named) if (!titles.some((t) => t.test(name))) missing.push(`${file}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
