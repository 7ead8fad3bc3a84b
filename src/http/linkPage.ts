import type { Next, Request, Response, Server } from 'restify';
import { DirectoryUnavailableError } from '../ports/directory.js';
import { isStoreUnavailable } from '../ports/store.js';
import { htmlLang, languageOfLocale, pickLanguage, type Language, type MessageKey, type Params } from '../messages/catalog.js';
import type { Services } from '../services.js';
import { message, page, type PageShell } from './pageHtml.js';
import { sendTooMany, type RateDecision } from './rateLimit.js';

/** Frames allowed: Teams only (the page opens as a Teams dialog); the one script is our own bundle. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors https://teams.microsoft.com https://*.teams.microsoft.com https://teams.cloud.microsoft",
].join('; ');

/** On every response of the page routes: nothing cached, no referrer (the URL holds the token), no sniffing, no inline script. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': PAGE_CSP,
};

export interface Rendered {
  status: number;
  html: string;
}

type Locale = string | undefined;
type Render = (locale: Locale) => Promise<Rendered>;

export interface LinkPageSpec {
  /** The route, `/reset/:token`: logged instead of the URL, which holds the token. */
  route: string;
  /** The paths of `route`, matched before restify routes them (the flood limit comes first). */
  pathPattern: RegExp;
  /** How the log names the page. */
  name: string;
  /** What every sentence on the page may use besides the service desk. */
  params?: Params;
  /** Whether every page says whose service it is (INSTITUTION_NAME), so users can tell ours from an imitation. */
  namesInstitution: boolean;
}

/** How a page answers, once the flood limit let the request through; `csrf` and other fields come from the POSTed form. */
export interface LinkPageHandlers {
  /** GET and HEAD: must never change the link (mail scanners open links too). */
  show(token: string, locale: Locale): Promise<Rendered>;
  submit(token: string, field: (name: string) => string, locale: Locale): Promise<Rendered>;
}

/**
 * What the pages an emailed link opens (the PIN page, the unlock page) share: the catalog's
 * sentences in the reader's language, the document around them, the flood limit, and one way
 * of answering that turns an unavailable store or directory into a 503 and anything else into a
 * 500 logged by route, never by URL.
 */
export function linkPage(services: Pick<Services, 'messages' | 'policy' | 'logger' | 'languages'>, spec: LinkPageSpec) {
  const { messages, policy, logger, languages } = services;
  const { route, name } = spec;

  // The browser's language if it asks for one of ours, else the account's remembered one (the link names the account).
  const forAccount = async (locale: Locale, uid: string) => locale ?? (await languages.of(uid));

  const t = (key: MessageKey, locale: Locale, params: Params = {}) => messages.t(key, { serviceDesk: policy.serviceDeskContact, ...spec.params, ...params }, locale);

  const { institutionName } = policy;
  const document = (locale: Locale, title: string, main: string, extra: Pick<PageShell, 'outcome' | 'withFormScript'> = {}) =>
    page(
      {
        lang: htmlLang(pickLanguage(locale)),
        title,
        footer: t('page.footer', locale),
        ...(spec.namesInstitution && institutionName ? { institution: t('page.institution', locale, { institution: institutionName }) } : {}),
        ...extra,
      },
      main,
    );

  const messagePage = (status: number, locale: Locale, titleKey: MessageKey, textKey: MessageKey, outcome?: 'pin-set'): Rendered => {
    const title = t(titleKey, locale);
    return { status, html: document(locale, title, message(title, t(textKey, locale)), outcome ? { outcome } : {}) };
  };

  // One page for unknown, used, revoked and expired links alike: 410 Gone.
  const invalid = (locale: Locale) => messagePage(410, locale, 'page.invalid.title', 'page.invalid.text');

  // Nothing changed and the link still works: a polite "try again in a few minutes", never a 500.
  const directoryDown = (locale: Locale) => messagePage(503, locale, 'page.directory.unavailable.title', 'page.directory.unavailable.text');

  /** Runs a page handler; an unexpected error becomes the error page, logged without the URL (it holds the token). */
  const respond = async (req: Request, res: Response, head: boolean, render: Render) => {
    const locale = preferredLocale(req);
    let out: Rendered;
    try {
      out = await render(locale);
    } catch (err) {
      if (isStoreUnavailable(err)) {
        // The database is down: nothing was changed and the link still works; a 503 tells a load balancer too.
        logger.error({ err: { name: (err as Error).name, message: (err as Error).message }, route, method: req.method }, `${name} failed: the store is unavailable`);
        out = messagePage(503, locale, 'store.unavailable.title', 'store.unavailable.page');
      } else if (err instanceof DirectoryUnavailableError) {
        logger.warn({ reason: err.reason, route, method: req.method }, `${name}: the directory is unreachable`);
        out = directoryDown(locale);
      } else {
        logger.error({ err, route, method: req.method }, `${name} failed`);
        out = messagePage(500, locale, 'page.error.title', 'page.error.text');
      }
    }
    sendPage(res, out.status, out.html, 'text/html; charset=utf-8', head);
  };

  const notAllowed = (allow: string) => async (req: Request, res: Response) => {
    res.setHeader('Allow', allow);
    await respond(req, res, false, async (locale) => messagePage(405, locale, 'page.methodNotAllowed.title', 'page.methodNotAllowed.text'));
  };

  /** Registers the page's routes, behind `limit` (every method, checked before the body is read). */
  const serve = (server: Server, handlers: LinkPageHandlers, limit?: (req: Request) => RateDecision) => {
    if (limit) {
      server.pre((req: Request, res: Response, next: Next) => {
        if (!spec.pathPattern.test(req.getPath())) return next();
        const decision = limit(req);
        if (decision.allowed) return next();
        const locale = preferredLocale(req);
        const title = t('page.tooMany.title', locale);
        sendTooMany(res, decision, { html: (seconds) => document(locale, title, message(title, t('page.tooMany.text', locale, { seconds }))), headers: PAGE_HEADERS, head: req.method === 'HEAD' });
        return next(false);
      });
    }

    // restify tells async handlers from callback ones by their kind, so each handler is `async`.
    const show = (head: boolean) => async (req: Request, res: Response) => respond(req, res, head, (locale) => handlers.show(tokenOf(req), locale));
    server.get(route, show(false));
    server.head(route, show(true));

    server.post(route, async (req: Request, res: Response) =>
      respond(req, res, false, (locale) => {
        const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
        const field = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
        return handlers.submit(tokenOf(req), field, locale);
      }),
    );

    // Registered explicitly so the 405 is the page's own, with an Allow that names only the real methods.
    for (const method of ['put', 'del', 'patch', 'opts'] as const) server[method](route, notAllowed('GET, HEAD, POST'));
  };

  return { t, document, messagePage, invalid, directoryDown, forAccount, notAllowed, serve };
}

/** Sends a page's body with the page headers; HEAD gets the headers alone. */
export function sendPage(res: Response, status: number, body: string, contentType: string, head: boolean): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function tokenOf(req: Request): string {
  const token = (req.params as Record<string, unknown> | undefined)?.['token'];
  return typeof token === 'string' ? token : '';
}

/**
 * The language the browser prefers among those we write, from Accept-Language: `zh-HK,zh;q=0.9,en;q=0.8`
 * gives zh-hk, `fr,en;q=0.5` gives en. None of ours (or no header): undefined, which reads as English.
 */
export function preferredLocale(req: Pick<Request, 'headers'>): Language | undefined {
  const header = req.headers['accept-language'];
  const ranked = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry, order) => {
      const [tag, ...rest] = entry.split(';');
      const q = Number(/^\s*q=([\d.]+)\s*$/.exec(rest.find((p) => /^\s*q=/.test(p)) ?? 'q=1')?.[1] ?? 0);
      return { language: languageOfLocale(tag), q: Number.isFinite(q) ? q : 0, order };
    })
    .filter((e): e is { language: Language; q: number; order: number } => e.language !== undefined && e.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return ranked[0]?.language;
}
