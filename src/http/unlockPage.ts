import type { Request, Server } from 'restify';
import type { AccountUnlock, UnlockResult } from '../domain/accountUnlock.js';
import type { Services } from '../services.js';
import { linkPage, type Rendered } from './linkPage.js';
import { escapeHtml } from './pageHtml.js';
import type { RateDecision } from './rateLimit.js';

/**
 * The unlock page an emailed unlock link opens: GET and HEAD show one button and never consume
 * the link (mail scanners open links); only its POST unlocks the account. The PIN is never asked
 * for here. Same headers and flood limit as the PIN page; the token is never logged.
 */
export function registerUnlockPage(server: Server, unlock: AccountUnlock, services: Pick<Services, 'messages' | 'policy' | 'logger' | 'languages'>, limit?: (req: Request) => RateDecision): void {
  const { t, document, messagePage, invalid, directoryDown, forAccount, serve } = linkPage(services, {
    route: '/unlock/:token',
    pathPattern: /^\/unlock\/[^/]*\/?$/,
    name: 'unlock page',
    namesInstitution: false,
  });

  const form = (locale: string | undefined, uid: string, csrf: string): Rendered => {
    const title = t('unlock.page.title', locale);
    const main = `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(t('unlock.page.intro', locale, { uid }))}</p>
<form method="post" novalidate>
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<button type="submit">${escapeHtml(t('unlock.page.submit', locale))}</button>
</form>`;
    return { status: 200, html: document(locale, title, main) };
  };

  const outcome = async (locale: string | undefined, result: UnlockResult): Promise<Rendered> => {
    switch (result.kind) {
      case 'invalid':
        return invalid(locale);
      case 'unlocked':
        return messagePage(200, await forAccount(locale, result.uid), 'unlock.page.done.title', 'unlock.page.done.text');
      case 'not-locked':
        return messagePage(200, await forAccount(locale, result.uid), 'unlock.page.notLocked.title', 'unlock.page.notLocked.text');
      case 'unavailable':
        return directoryDown(await forAccount(locale, result.uid));
    }
  };

  serve(
    server,
    {
      async show(token, locale) {
        const opened = await unlock.openPage(token, { channel: 'web' });
        return opened.kind === 'valid' ? form(await forAccount(locale, opened.uid), opened.uid, opened.csrf) : invalid(locale);
      },
      async submit(token, field, locale) {
        return outcome(locale, await unlock.confirm(token, field('csrf'), { channel: 'web', ...(locale ? { locale } : {}) }));
      },
    },
    limit,
  );
}
