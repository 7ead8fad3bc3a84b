import { pinProblemText } from '../domain/pinProblemText.js';
import type { Next, Request, Response, Server } from 'restify';
import type { PinReset } from '../domain/pinReset.js';
import type { PinProblem, Strength } from '../domain/pinPolicy.js';
import { localTime } from '../domain/contactRegistration.js';
import { DirectoryUnavailableError, type DirectoryRefusal, type PublishedPinRules } from '../ports/directory.js';
import { htmlLang, languageOfLocale, pickLanguage, type Language, type MessageKey, type Params } from '../messages/catalog.js';
import type { Services } from '../services.js';
import { PAGE_CSS } from './pageCss.js';
import { PAGE_CSS_PATH, fieldOf, message, page, pinForm, type FormProblem } from './pageHtml.js';
import { sendTooMany, type RateDecision } from './rateLimit.js';
import { isStoreUnavailable } from '../ports/store.js';

const RESET_PATH = '/reset/:token';
const PAGE_PATH_PATTERN = /^\/reset\/[^/]*\/?$/;

/** Frames allowed: Teams only (the page opens as a Teams dialog); the one script is our own bundle. */
export const RESET_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors https://teams.microsoft.com https://*.teams.microsoft.com https://teams.cloud.microsoft",
].join('; ');

/** On every response of the page routes: nothing cached, no referrer (the URL holds the token), no sniffing, no inline script. */
export const RESET_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': RESET_PAGE_CSP,
};

const REFUSAL_KEYS: Record<Exclude<DirectoryRefusal, 'too-short'>, MessageKey> = {
  complexity: 'page.directory.refused.complexity',
  quality: 'page.directory.refused.quality',
  history: 'page.directory.refused.history',
  'too-young': 'page.directory.refused.too-young',
  other: 'page.directory.refused.other',
};

interface Rendered {
  status: number;
  html: string;
}

/**
 * The PIN page (DESIGN.md): GET and HEAD show the form and never consume the link; only the POST
 * that sets the PIN does, and answers with the success page itself. Server-rendered, works without
 * JavaScript; its scripts only close the Teams dialog, show the PIN and guide its strength.
 * Neither the token nor the PIN is ever logged.
 */
export function registerResetPage(
  server: Server,
  pinReset: PinReset,
  services: Pick<Services, 'messages' | 'policy' | 'logger' | 'languages'>,
  /** Flood limit for the page (every method), checked before the body is read. */
  limit?: (req: Request) => RateDecision,
): void {
  const { messages, policy, logger, languages } = services;
  // The browser's language if it asks for one of ours, else the account's remembered one (the link names the account).
  const forAccount = async (locale: string | undefined, uid: string) => locale ?? (await languages.of(uid));

  const t = (key: MessageKey, locale: string | undefined, params: Params = {}) =>
    messages.t(key, { serviceDesk: policy.serviceDeskContact, min: pinReset.pinPolicy.minLength, max: pinReset.pinPolicy.maxLength, ...params }, locale);

  const { institutionName } = policy;
  const document = (locale: string | undefined, title: string, main: string, extra: { outcome?: 'pin-set'; withFormScript?: boolean } = {}) =>
    page(
      {
        lang: htmlLang(pickLanguage(locale)),
        title,
        footer: t('page.footer', locale),
        ...(institutionName ? { institution: t('page.institution', locale, { institution: institutionName }) } : {}),
        ...extra,
      },
      main,
    );

  const messagePage = (status: number, locale: string | undefined, titleKey: MessageKey, textKey: MessageKey, outcome?: 'pin-set'): Rendered => {
    const title = t(titleKey, locale);
    return { status, html: document(locale, title, message(title, t(textKey, locale)), outcome ? { outcome } : {}) };
  };

  // One page for unknown, used, revoked and expired links alike: 410 Gone.
  const invalid = (locale: string | undefined) => messagePage(410, locale, 'page.invalid.title', 'page.invalid.text');

  /** A problem's sentence; a weak PIN's is followed by zxcvbn's own warning and suggestions. */
  const problemText = (id: PinProblem, locale: string | undefined, strength?: Strength) =>
    pinProblemText(messages, id, { serviceDesk: policy.serviceDeskContact, min: pinReset.pinPolicy.minLength, max: pinReset.pinPolicy.maxLength }, locale, strength);

  interface FormState {
    uid: string;
    csrf: string;
    expiresAt: number;
    problems: PinProblem[];
    strength?: Strength;
    /** The directory refused the PIN under its own policy. */
    refusal?: DirectoryRefusal;
  }
  const form = async (locale: string | undefined, { uid, csrf, expiresAt, problems, strength, refusal }: FormState): Promise<Rendered> => {
    const title = t('page.title', locale);
    // The directory's own published rules are said before the user types (AD: minPwdLength, pwdProperties).
    const rules = await pinReset.directoryRules(uid);
    const listed: FormProblem[] = problems.map((id) => ({ id, field: fieldOf(id), message: problemText(id, locale, strength) }));
    if (refusal) listed.push({ id: `directory-${refusal}`, field: 'pin', message: refusalText(refusal, rules, locale) });
    const html = pinForm({
      uid,
      csrf,
      problems: listed,
      text: {
        heading: title,
        intro: t('page.intro', locale, { uid }),
        expires: t('page.expires', locale, { expires: localTime(expiresAt) }),
        pinLabel: t('page.pin.label', locale),
        pinHint: [t('page.pin.hint', locale), ...rulesText(rules, locale)].join(' '),
        showPin: t('page.showPin', locale),
        confirmLabel: t('page.confirm.label', locale),
        submit: t('page.submit', locale),
        errorSummary: t('page.errorSummary', locale),
        strengthLabel: t('strength.label', locale),
      },
      strength: {
        minLength: pinReset.pinPolicy.minLength,
        maxLength: pinReset.pinPolicy.maxLength,
        minStrength: pinReset.pinPolicy.minStrength,
        serviceWords: institutionName ? [institutionName] : [],
      },
    });
    return { status: listed.length > 0 ? 422 : 200, html: document(locale, listed.length > 0 ? t('page.errorTitle', locale, { title }) : title, html, { withFormScript: true }) };
  };

  const rulesText = (rules: PublishedPinRules, locale: string | undefined): string[] => [
    ...(rules.minLength && rules.minLength > pinReset.pinPolicy.minLength ? [t('page.directory.rule.minLength', locale, { n: rules.minLength })] : []),
    ...(rules.complexity ? [t('page.directory.rule.complexity', locale)] : []),
    ...(rules.history ? [t('page.directory.rule.history', locale, { n: rules.history })] : []),
  ];

  const refusalText = (refusal: DirectoryRefusal, rules: PublishedPinRules, locale: string | undefined): string =>
    refusal === 'too-short'
      ? rules.minLength
        ? t('page.directory.refused.too-short', locale, { n: rules.minLength })
        : t('page.directory.refused.too-short.any', locale)
      : t(REFUSAL_KEYS[refusal], locale);

  /** Runs a page handler; an unexpected error becomes the error page, logged without the URL (it holds the token). */
  const respond = async (req: Request, res: Response, head: boolean, render: (locale: string | undefined) => Promise<Rendered>) => {
    const locale = preferredLocale(req);
    let out: Rendered;
    try {
      out = await render(locale);
    } catch (err) {
      if (isStoreUnavailable(err)) {
        // The database is down: nothing was changed and the link still works; a 503 tells a load balancer too.
        logger.error({ err: { name: (err as Error).name, message: (err as Error).message }, route: RESET_PATH, method: req.method }, 'PIN page failed: the store is unavailable');
        out = messagePage(503, locale, 'store.unavailable.title', 'store.unavailable.page');
      } else if (err instanceof DirectoryUnavailableError) {
        logger.warn({ reason: err.reason, route: RESET_PATH, method: req.method }, 'PIN page: the directory is unreachable');
        out = messagePage(503, locale, 'page.directory.unavailable.title', 'page.directory.unavailable.text');
      } else {
        logger.error({ err, route: RESET_PATH, method: req.method }, 'PIN page failed');
        out = messagePage(500, locale, 'page.error.title', 'page.error.text');
      }
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
      sendTooMany(res, decision, { html: (seconds) => document(locale, title, message(title, t('page.tooMany.text', locale, { seconds }))), headers: RESET_PAGE_HEADERS, head: req.method === 'HEAD' });
      return next(false);
    });
  }

  // restify tells async handlers from callback ones by their kind, so each handler is `async`.
  const show = (head: boolean) => async (req: Request, res: Response) =>
    respond(req, res, head, async (locale) => {
      const opened = await pinReset.openPage(tokenOf(req), { channel: 'web' });
      return opened.kind === 'valid' ? await form(await forAccount(locale, opened.uid), { ...opened, problems: [] }) : invalid(locale);
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
      if (result.kind === 'rejected') return await form(await forAccount(locale, result.uid), { ...result, csrf });
      // Nothing changed and the link still works: a polite "try again in a few minutes", never a 500.
      if (result.kind === 'unavailable') return messagePage(503, await forAccount(locale, result.uid), 'page.directory.unavailable.title', 'page.directory.unavailable.text');
      return messagePage(200, await forAccount(locale, result.uid), 'page.done.title', 'page.done.text', 'pin-set');
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
