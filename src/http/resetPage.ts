import type { Request, Response, Server } from 'restify';
import { pinProblemText } from '../domain/pinProblemText.js';
import type { PinReset } from '../domain/pinReset.js';
import type { PinProblem, Strength } from '../domain/pinPolicy.js';
import { localTime } from '../domain/contactRegistration.js';
import type { DirectoryRefusal, PublishedPinRules } from '../ports/directory.js';
import type { MessageKey } from '../messages/catalog.js';
import type { Services } from '../services.js';
import { linkPage, sendPage, type Rendered } from './linkPage.js';
import { PAGE_CSS } from './pageCss.js';
import { PAGE_CSS_PATH, fieldOf, pinForm, type FormProblem } from './pageHtml.js';
import type { RateDecision } from './rateLimit.js';

const REFUSAL_KEYS: Record<Exclude<DirectoryRefusal, 'too-short'>, MessageKey> = {
  complexity: 'page.directory.refused.complexity',
  quality: 'page.directory.refused.quality',
  history: 'page.directory.refused.history',
  'too-young': 'page.directory.refused.too-young',
  other: 'page.directory.refused.other',
};

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
  const { messages, policy } = services;
  const { institutionName } = policy;
  const { t, document, messagePage, invalid, directoryDown, forAccount, notAllowed, serve } = linkPage(services, {
    route: '/reset/:token',
    pathPattern: /^\/reset\/[^/]*\/?$/,
    name: 'PIN page',
    params: { min: pinReset.pinPolicy.minLength, max: pinReset.pinPolicy.maxLength },
    namesInstitution: true,
  });

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

  serve(
    server,
    {
      async show(token, locale) {
        const opened = await pinReset.openPage(token, { channel: 'web' });
        return opened.kind === 'valid' ? await form(await forAccount(locale, opened.uid), { ...opened, problems: [] }) : invalid(locale);
      },
      async submit(token, field, locale) {
        const csrf = field('csrf');
        const result = await pinReset.submit(token, { csrf, pin: field('pin'), confirm: field('confirm') }, { channel: 'web', ...(locale ? { locale } : {}) });
        if (result.kind === 'invalid') return invalid(locale);
        if (result.kind === 'rejected') return await form(await forAccount(locale, result.uid), { ...result, csrf });
        if (result.kind === 'unavailable') return directoryDown(await forAccount(locale, result.uid));
        return messagePage(200, await forAccount(locale, result.uid), 'page.done.title', 'page.done.text', 'pin-set');
      },
    },
    limit,
  );

  const css = (head: boolean) => async (_req: Request, res: Response) => sendPage(res, 200, PAGE_CSS, 'text/css; charset=utf-8', head);
  server.get(PAGE_CSS_PATH, css(false));
  server.head(PAGE_CSS_PATH, css(true));
  for (const method of ['post', 'put', 'del', 'patch', 'opts'] as const) server[method](PAGE_CSS_PATH, notAllowed('GET, HEAD'));
}

