import { expect } from '@jest/globals';
import type { Language } from '../../src/messages/catalog.js';

const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/;
/** Chinese allowed in English text: the command that switches to Chinese. */
const ALLOWED_IN_ENGLISH = ['中文'];
/** Longest run of English words allowed in Chinese text: commands, UID examples, `PIN`, `SMS` stand alone. */
const MAX_ENGLISH_WORDS_IN_CHINESE = 3;

/** Everything that is not prose: links, addresses, masked contacts, placeholders left unfilled. */
function withoutTokens(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\S+@\S+/g, ' ')
    .replace(/\+[\d*]+ [\d*]+/g, ' ')
    .replace(/\{\w+\}/g, ' ');
}

/** English words in a row (spaces, commas, dots or brackets between them), longest first. */
export function englishRuns(text: string): string[] {
  const runs = withoutTokens(text).match(/[A-Za-z][A-Za-z'’-]*(?:[\s,.()]+[A-Za-z][A-Za-z'’-]*)*/g) ?? [];
  return runs.map((r) => r.trim()).sort((a, b) => b.split(/[\s,.()]+/).length - a.split(/[\s,.()]+/).length);
}

/** The problems that show `text` is not entirely in `lang`: Chinese in English, or an English sentence in Chinese. */
export function untranslated(text: string, lang: Language): string[] {
  if (lang === 'en') {
    let rest = text;
    for (const word of ALLOWED_IN_ENGLISH) rest = rest.replaceAll(word, ' ');
    const cjk = rest.match(new RegExp(`.{0,20}${CJK.source}.{0,20}`, 'g')) ?? [];
    return cjk.map((s) => `Chinese in English text: ${s}`);
  }
  return englishRuns(text)
    .filter((run) => run.split(/[\s,.()]+/).filter(Boolean).length > MAX_ENGLISH_WORDS_IN_CHINESE)
    .map((run) => `English in Chinese text: ${run}`);
}

/** Asserts that every text reads in `lang` only (`what` names it in the failure). */
export function expectAllIn(lang: Language, texts: Record<string, string> | string[]): void {
  const entries = Array.isArray(texts) ? texts.map((t, i) => [String(i), t] as const) : Object.entries(texts);
  const problems = entries.flatMap(([what, text]) => untranslated(text, lang).map((p) => `${what}: ${p}`));
  expect(problems).toEqual([]);
}
