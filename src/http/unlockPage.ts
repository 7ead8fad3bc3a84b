import type { Next, Request, Response, Server } from 'restify';
import type { AccountUnlock, UnlockResult } from '../domain/accountUnlock.js';
import { htmlLang, pickLanguage, type MessageKey, type Params } from '../messages/catalog.js';
import type { Services } from '../services.js';
import { escapeHtml, message, page } from './pageHtml.js';
import { preferredLocale, RESET_PAGE_HEADERS } from './resetPage.js';
import { sendTooMany, type RateDecision } from './rateLimit.js';

const UNLOCK_PATH = '/unlock/:token';
const PAGE_PATH_PATTERN = /^\/unlock\/[^/]*\/?$/;

interface Rendered {
  status: number;
  html: string;
}

/**
 * The unlock page an emailed unlock link opens: GET and HEAD show one button and never consume
 * the link (mail scanners open links); only its POST unlocks the account. The PIN is never asked
 * for here. Same headers and flood limit as the PIN page; the token is never logged.
 */
export function registerUnlockPage(server: Server, unlock: AccountUnlock, services: Pick<Services, 'messages' | 'policy' | 'logger' | 'languages'>, limit?: (req: Request) => RateDecision): void {
  const { messages, policy, logger, languages } = services;
  const forAccount = async (locale: string | undefined, uid: string) => locale ?? (await languages.of(uid));
  const t = (key: MessageKey, locale: string | undefined, params: Params = {}) => messages.t(key, { serviceDesk: policy.serviceDeskContact, ...params }, locale);
  const document = (locale: string | undefined, title: string, main: string) => page({ lang: htmlLang(pickLanguage(locale)), title, footer: t('page.footer', locale) }, main);
  const messagePage = (status: number, locale: string | undefined, titleKey: MessageKey, textKey: MessageKey): Rendered => {
    const title = t(titleKey, locale);
    return { status, html: document(locale, title, message(title, t(textKey, locale))) };
  };
  const invalid = (locale: string | undefined) => messagePage(410, locale, 'page.invalid.title', 'page.invalid.text');

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
        return messagePage(503, await forAccount(locale, result.uid), 'page.directory.unavailable.title', 'page.directory.unavailable.text');
    }
  };

  const respond = async (req: Request, res: Response, head: boolean, render: (locale: string | undefined) => Promise<Rendered>) => {
    const locale = preferredLocale(req);
    let out: Rendered;
    try {
      out = await render(locale);
    } catch (err) {
      logger.error({ err, route: UNLOCK_PATH, method: req.method }, 'unlock page failed');
      out = messagePage(500, locale, 'page.error.title', 'page.error.text');
    }
    res.writeHead(out.status, { ...RESET_PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(out.html) });
    res.end(head ? undefined : out.html);
  };

  if (limit) {
    server.pre((req: Request, res: Response, next: Next) => {
      if (!PAGE_PATH_PATTERN.test(req.getPath())) return next();
      const decision = limit(req);
      if (decision.allowed) return next();
      const locale = preferredLocale(req);
      const title = t('page.tooMany.title', locale);
      sendTooMany(res, decision, { html: (seconds) => document(locale, title, message(title, t('page.tooMany.text', locale, { seconds }))), headers: RESET_PAGE_HEADERS, head: req.method === 'HEAD' });
      return next(false);
    });
  }

  const tokenOf = (req: Request) => {
    const token = (req.params as Record<string, unknown> | undefined)?.['token'];
    return typeof token === 'string' ? token : '';
  };
  const show = (head: boolean) => async (req: Request, res: Response) =>
    respond(req, res, head, async (locale) => {
      const opened = await unlock.openPage(tokenOf(req), { channel: 'web' });
      return opened.kind === 'valid' ? form(await forAccount(locale, opened.uid), opened.uid, opened.csrf) : invalid(locale);
    });
  server.get(UNLOCK_PATH, show(false));
  server.head(UNLOCK_PATH, show(true));
  server.post(UNLOCK_PATH, async (req: Request, res: Response) =>
    respond(req, res, false, async (locale) => {
      const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
      const csrf = typeof body['csrf'] === 'string' ? body['csrf'] : '';
      return outcome(locale, await unlock.confirm(tokenOf(req), csrf, { channel: 'web', ...(locale ? { locale } : {}) }));
    }),
  );
  const notAllowed = async (req: Request, res: Response) => {
    res.setHeader('Allow', 'GET, HEAD, POST');
    await respond(req, res, false, async (locale) => messagePage(405, locale, 'page.methodNotAllowed.title', 'page.methodNotAllowed.text'));
  };
  for (const method of ['put', 'del', 'patch', 'opts'] as const) server[method](UNLOCK_PATH, notAllowed);
}
