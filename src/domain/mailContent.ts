import type { MailMessage } from '../ports/mailer.js';
import { plain } from '../messages/catalog.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An email with a plain-text body and the same words as simple HTML (paragraphs, links). */
export function composeMail(to: string, subject: string, text: string): MailMessage {
  const body = plain(text);
  const html = body
    .split(/\n{2,}/)
    .map((para) => `<p>${escapeHtml(para).replace(/\n/g, '<br>').replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>')}</p>`)
    .join('\n');
  return {
    to,
    subject,
    text: body,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">\n${html}\n</body></html>`,
  };
}
