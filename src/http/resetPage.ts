import type { Next, Request, Response, Server } from 'restify';
import type { PinReset } from '../domain/pinReset.js';
import type { PinProblem } from '../domain/pinPolicy.js';
import { pickLanguage, type MessageKey, type Params } from '../messages/catalog.js';
import type { Services } from '../services.js';
import { PAGE_CSS } from './pageCss.js';
import { PAGE_CSS_PATH, fieldOf, message, page, pinForm } from './pageHtml.js';
import type { RateDecision } from './rateLimit.js';

const RESET_PATH = '/reset/:token';
const PAGE_PATH_PATTERN = /^\/reset\/[^/]*\/?$/;

/** Frames allowed: this site and Teams (the page opens as a Teams dialog). */
export const RESET_PAGE_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft https://*.office.com",
].join('; ');

/** On every response of the page routes: nothing cached, no referrer (the URL holds the token), no sniffing, no inline script. */
export const RESET_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': RESET_PAGE_CSP,
};

const PROBLEM_KEYS: Record<PinProblem, MessageKey> = {
  'too-short': 'page.problem.too-short',
  'too-long': 'page.problem.too-long',
  'is-uid': 'page.problem.is-uid',
  'is-current': 'page.problem.is-current',
  'common': 'page.problem.common',
  'mismatch': 'page.problem.mismatch',
};

interface Rendered {
  status: number;
  html: string;
}

/**
 * The PIN page (DESIGN.md): GET and HEAD show the form and never consume the link; only the POST
 * that sets the PIN does. Server-rendered, no script, works without JavaScript and inside Teams.
 * Neither the token nor the PIN is ever logged.
 */
export function registerResetPage(
  server: Server,
  pinReset: PinReset,
  services: Pick<Services, 'messages' | 'policy' | 'logger'>,
  /** Flood limit for the page (every method), checked before the body is read. */
  limit?: (req: Request) => RateDecision,
): void {
  const { messages, policy, logger } = services;

  const t = (key: MessageKey, locale: string | undefined, params: Params = {}) =>
    messages.t(key, { serviceDesk: policy.serviceDeskContact, min: pinReset.pinPolicy.minLength, max: pinReset.pinPolicy.maxLength, ...params }, locale);

  const document = (locale: string | undefined, title: string, main: string) =>
    page({ lang: pickLanguage(locale) === 'zh-hk' ? 'zh-HK' : 'en', title, footer: t('page.footer', locale) }, main);

  const messagePage = (status: number, locale: string | undefined, titleKey: MessageKey, textKey: MessageKey): Rendered => {
    const title = t(titleKey, locale);
    return { status, html: document(locale, title, message(title, t(textKey, locale))) };
  };

  // One page for unknown, used, revoked and expired links alike: 410 Gone.
  const invalid = (locale: string | undefined) => messagePage(410, locale, 'page.invalid.title', 'page.invalid.text');

  const form = (locale: string | undefined, uid: string, csrf: string, problems: PinProblem[]): Rendered => {
    const title = t('page.title', locale);
    const html = pinForm({
      uid,
      csrf,
      problems: problems.map((id) => ({ id, field: fieldOf(id), message: t(PROBLEM_KEYS[id], locale) })),
      text: {
        heading: title,
        intro: t('page.intro', locale, { uid }),
        pinLabel: t('page.pin.label', locale),
        pinHint: t('page.pin.hint', locale),
        confirmLabel: t('page.confirm.label', locale),
        submit: t('page.submit', locale),
        errorSummary: t('page.errorSummary', locale),
      },
    });
    return { status: problems.length > 0 ? 422 : 200, html: document(locale, problems.length > 0 ? t('page.errorTitle', locale, { title }) : title, html) };
  };

  /** Runs a page handler; an unexpected error becomes the error page, logged without the URL (it holds the token). */
  const respond = async (req: Request, res: Response, head: boolean, render: (locale: string | undefined) => Promise<Rendered>) => {
    const locale = preferredLocale(req);
    let out: Rendered;
    try {
      out = await render(locale);
    } catch (err) {
      logger.error({ err, route: RESET_PATH, method: req.method }, 'PIN page failed');
      out = messagePage(500, locale, 'page.error.title', 'page.error.text');
    }
    send(res, out.status, out.html, 'text/html; charset=utf-8', head);
  };

  if (limit) {
    server.pre((req: Request, res: Response, next: Next) => {
      if (!PAGE_PATH_PATTERN.test(req.getPath())) return next();
      const decision = limit(req);
      if (decision.allowed) return next();
      const locale = preferredLocale(req);
      const title = t('page.tooMany.title', locale);
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      send(res, 429, document(locale, title, message(title, t('page.tooMany.text', locale, { seconds: decision.retryAfterSeconds }))), 'text/html; charset=utf-8', req.method === 'HEAD');
      return next(false);
    });
  }

  // restify tells async handlers from callback ones by their kind, so each handler is `async`.
  const show = (head: boolean) => async (req: Request, res: Response) =>
    respond(req, res, head, async (locale) => {
      const opened = await pinReset.openPage(tokenOf(req), { channel: 'web' });
      return opened.kind === 'valid' ? form(locale, opened.uid, opened.csrf, []) : invalid(locale);
    });

  server.get(RESET_PATH, show(false));
  server.head(RESET_PATH, show(true));

  server.post(RESET_PATH, async (req: Request, res: Response) =>
    respond(req, res, false, async (locale) => {
      const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
      const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
      const csrf = field('csrf');
      const result = await pinReset.submit(tokenOf(req), { csrf, pin: field('pin'), confirm: field('confirm') }, { channel: 'web', ...(locale ? { locale } : {}) });
      if (result.kind === 'invalid') return invalid(locale);
      if (result.kind === 'rejected') return form(locale, result.uid, csrf, result.problems);
      return messagePage(200, locale, 'page.done.title', 'page.done.text');
    }),
  );

  const notAllowed = (allow: string) => async (req: Request, res: Response) => {
    res.setHeader('Allow', allow);
    await respond(req, res, false, async (locale) => messagePage(405, locale, 'page.methodNotAllowed.title', 'page.methodNotAllowed.text'));
  };
  // Registered explicitly so the 405 is the page's own, with an Allow that names only the real methods.
  for (const method of ['put', 'del', 'patch', 'opts'] as const) server[method](RESET_PATH, notAllowed('GET, HEAD, POST'));

  const css = (head: boolean) => async (_req: Request, res: Response) => send(res, 200, PAGE_CSS, 'text/css; charset=utf-8', head);
  server.get(PAGE_CSS_PATH, css(false));
  server.head(PAGE_CSS_PATH, css(true));
  for (const method of ['post', 'put', 'del', 'patch', 'opts'] as const) server[method](PAGE_CSS_PATH, notAllowed('GET, HEAD'));
}

function send(res: Response, status: number, body: string, contentType: string, head: boolean): void {
  res.writeHead(status, { ...RESET_PAGE_HEADERS, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function tokenOf(req: Request): string {
  const token = (req.params as Record<string, unknown> | undefined)?.['token'];
  return typeof token === 'string' ? token : '';
}

/** The first language the browser asks for, e.g. `zh-HK` from `zh-HK,zh;q=0.9,en;q=0.8`. */
function preferredLocale(req: Request): string | undefined {
  const header = req.headers['accept-language'];
  const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.split(';')[0]?.trim();
  return first && first !== '*' ? first : undefined;
}
