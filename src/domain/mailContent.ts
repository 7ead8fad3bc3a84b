import type { MailMessage } from '../ports/mailer.js';
import { htmlLang, plain, type Section } from '../messages/catalog.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const paragraphs = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((para) => `<p>${escapeHtml(para).replace(/\n/g, '<br>').replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>')}</p>`)
    .join('\n');

/**
 * An email with a plain-text body and the same words as simple HTML (paragraphs, links). With
 * several sections (the reader's language is unknown), each language follows the other, divided
 * by a rule, and each HTML block carries its `lang`.
 */
export function composeMail(to: string, subject: string, body: string | Section[]): MailMessage {
  const sections: { lang?: Section['lang']; text: string }[] = typeof body === 'string' ? [{ text: plain(body) }] : body.map((s) => ({ ...s, text: plain(s.text) }));
  const text = sections.map((s) => s.text).join('\n\n--------\n\n');
  const only = sections.length === 1 ? sections[0] : undefined;
  const lang = (l: Section['lang'] | undefined) => (l ? ` lang="${htmlLang(l)}"` : '');
  const content = only ? paragraphs(only.text) : sections.map((s) => `<div${lang(s.lang)}>\n${paragraphs(s.text)}\n</div>`).join('\n<hr>\n');
  const html = `<html${lang(only?.lang)}><body style="font-family:system-ui,sans-serif;line-height:1.5">\n${content}\n</body></html>`;
  return { to, subject, text, html: `<!doctype html>${html}` };
}
