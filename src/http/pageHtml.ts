import type { PinProblem } from '../domain/pinPolicy.js';
import { PAGE_FILES, STATIC_PATH } from './pageScripts.js';
import type { DirectoryRefusal } from '../ports/directory.js';

/** Where the page's stylesheet is served; pages link it relative to /reset/:token. */
export const PAGE_CSS_PATH = '/static/page.css';

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Sentences already looked up in the catalog; everything here is escaped on the way out. */
export interface PageShell {
  lang: string;
  title: string;
  footer: string;
  /** Above every page, so users can tell ours from an imitation: `Portal PIN reset for Example University`. */
  institution?: string;
  /** What the page reports to its host: 'pin-set' lets the Teams dialog close itself. */
  outcome?: 'pin-set';
  /** The form page also loads its own script (show-PIN switch, strength guidance). */
  withFormScript?: boolean;
}

export interface FormText {
  heading: string;
  intro: string;
  expires: string;
  pinLabel: string;
  pinHint: string;
  showPin: string;
  confirmLabel: string;
  submit: string;
  errorSummary: string;
  strengthLabel: string;
}

export interface FormProblem {
  /** The bot's own rule, or the directory's (which refused the PIN after the bot's rules passed). */
  id: PinProblem | `directory-${DirectoryRefusal}`;
  /** The field the problem is about: the confirmation for a mismatch, the PIN otherwise. */
  field: 'pin' | 'confirm';
  message: string;
}

/** What the form's script needs to judge a PIN as the server will (it has no name or email: those stay on the server). */
export interface StrengthSettings {
  minLength: number;
  maxLength: number;
  minStrength: number;
  /** The institution's name, whose words count as easy to guess. */
  serviceWords: readonly string[];
}

export interface FormView {
  uid: string;
  csrf: string;
  problems: FormProblem[];
  text: FormText;
  strength: StrengthSettings;
}

export function fieldOf(problem: FormProblem['id']): FormProblem['field'] {
  return problem === 'mismatch' ? 'confirm' : 'pin';
}

const script = (name: string) => `<script type="module" src="..${STATIC_PATH}/${name}"></script>`;

/** A complete HTML document: no inline script or style, readable on a phone and inside Teams. */
export function page(shell: PageShell, main: string): string {
  const scripts = [script(PAGE_FILES.teams), ...(shell.withFormScript ? [script(PAGE_FILES.form)] : [])];
  return `<!doctype html>
<html lang="${escapeHtml(shell.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(shell.title)}</title>
<link rel="icon" type="image/png" href="..${STATIC_PATH}/${PAGE_FILES.icon}">
<link rel="stylesheet" href="..${PAGE_CSS_PATH}">
${scripts.join('\n')}
</head>
<body${shell.outcome ? ` data-outcome="${escapeHtml(shell.outcome)}"` : ''}>
${shell.institution ? `<header>\n<p class="institution">${escapeHtml(shell.institution)}</p>\n</header>\n` : ''}<main id="main">
${main}
</main>
<footer>
<p>${escapeHtml(shell.footer)}</p>
</footer>
</body>
</html>
`;
}

/**
 * The PIN form; with problems, an error summary first and each message tied to its field. It
 * always submits (no `required` or `minlength`): the server judges and answers with its reasons.
 * The show-PIN switch and the strength guidance stay hidden until the form's script shows them.
 */
export function pinForm(view: FormView): string {
  const { text, problems, strength } = view;
  const errorId = (p: FormProblem) => `${p.field}-error-${p.id}`;
  const summary =
    problems.length === 0
      ? ''
      : `<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${escapeHtml(text.errorSummary)}</h2>
<ul>
${problems.map((p) => `<li><a href="#${p.field}">${escapeHtml(p.message)}</a></li>`).join('\n')}
</ul>
</div>`;
  const firstInvalid = problems[0]?.field;
  const field = (name: 'pin' | 'confirm', label: string, hint?: string, after = '') => {
    const mine = problems.filter((p) => p.field === name);
    const describedBy = [...(hint ? [`${name}-hint`] : []), ...mine.map(errorId)];
    const attrs = [
      'type="password"',
      `id="${name}"`,
      `name="${name}"`,
      'autocomplete="new-password"',
      'spellcheck="false"',
      'autocapitalize="none"',
      ...(describedBy.length > 0 ? [`aria-describedby="${describedBy.join(' ')}"`] : []),
      ...(mine.length > 0 ? ['aria-invalid="true"'] : []),
      ...(firstInvalid === name ? ['autofocus'] : []),
    ];
    return `<div class="field${mine.length > 0 ? ' field-error' : ''}">
<label for="${name}">${escapeHtml(label)}</label>
${hint ? `<p class="hint" id="${name}-hint">${escapeHtml(hint)}</p>\n` : ''}${mine.map((p) => `<p class="error" id="${errorId(p)}">${escapeHtml(p.message)}</p>\n`).join('')}<input ${attrs.join(' ')}>
${after}</div>`;
  };
  const guidance = `<div class="strength" id="pin-strength" hidden>
<meter id="pin-strength-meter" min="0" max="4" low="2" high="3" optimum="4" value="0" aria-label="${escapeHtml(text.strengthLabel)}"></meter>
<p id="pin-strength-text" aria-live="polite"></p>
</div>
<div class="show-pin" hidden>
<input type="checkbox" id="show-pin" aria-controls="pin confirm">
<label for="show-pin">${escapeHtml(text.showPin)}</label>
</div>
`;
  const settings = [
    `data-uid="${escapeHtml(view.uid)}"`,
    `data-min-length="${strength.minLength}"`,
    `data-max-length="${strength.maxLength}"`,
    `data-min-strength="${strength.minStrength}"`,
    `data-service-words="${escapeHtml(JSON.stringify(strength.serviceWords))}"`,
  ];
  // No action attribute: the form posts back to this page's own URL.
  return `<h1>${escapeHtml(text.heading)}</h1>
${summary}
<p>${escapeHtml(text.intro)}</p>
<p class="expires">${escapeHtml(text.expires)}</p>
<form method="post" novalidate ${settings.join(' ')}>
<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">
<input type="text" id="username" autocomplete="username" value="${escapeHtml(view.uid)}" readonly hidden>
${field('pin', text.pinLabel, text.pinHint, guidance)}
${field('confirm', text.confirmLabel)}
<button type="submit">${escapeHtml(text.submit)}</button>
</form>`;
}

/** A page with a heading and one paragraph: done, invalid link, error. */
export function message(title: string, text: string): string {
  return `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>`;
}
