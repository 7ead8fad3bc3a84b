/**
 * The PIN form's script (built by src/build/pageScripts.ts): a show-PIN switch, and live strength
 * guidance from the very PinPolicy the server judges with (NIST SP 800-63B asks for "guidance such
 * as a strength meter"). The policy and its dictionaries are a chunk of their own, loaded when the
 * PIN field is first used. The server still has the last word: it also knows the account's name,
 * email and current PIN, which this page never sees.
 */
import type { PinProblem } from '../domain/pinPolicy.js';
import type { MessageKey } from '../messages/catalog.js';

const form = document.querySelector<HTMLFormElement>('form[data-uid]');
const pin = document.querySelector<HTMLInputElement>('#pin');
const confirm = document.querySelector<HTMLInputElement>('#confirm');

function showPinSwitch(): void {
  const toggle = document.querySelector<HTMLInputElement>('#show-pin');
  if (!toggle || !pin || !confirm) return;
  toggle.checked = false;
  toggle.addEventListener('change', () => {
    for (const input of [pin, confirm]) input.type = toggle.checked ? 'text' : 'password';
  });
  toggle.closest<HTMLElement>('.show-pin')!.hidden = false;
}

/** How long typing must pause before the PIN is judged again (a judgement takes up to ~100 ms). */
const SETTLE_MS = 150;

function strengthGuidance(): void {
  const box = document.querySelector<HTMLElement>('#pin-strength');
  const meter = document.querySelector<HTMLMeterElement>('#pin-strength-meter');
  const text = document.querySelector<HTMLElement>('#pin-strength-text');
  if (!form || !pin || !box || !meter || !text) return;
  const data = form.dataset;
  const lang = document.documentElement.lang;
  let judge: ((typed: string) => Promise<string>) | undefined;
  let waiting = '';
  let loading: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = 0;

  const load = () =>
    (loading ??= (async () => {
      const [{ PinPolicy }, { Messages }] = await Promise.all([import('../domain/pinPolicy.js'), import('../messages/catalog.js')]);
      const policy = new PinPolicy({
        minLength: Number(data['minLength']),
        maxLength: Number(data['maxLength']),
        minStrength: Number(data['minStrength']),
        serviceWords: JSON.parse(data['serviceWords'] ?? '[]') as string[],
      });
      const messages = new Messages();
      const t = (key: MessageKey, params = {}) => messages.t(key, { min: policy.minLength, max: policy.maxLength, ...params }, lang);
      await policy.prepare();
      judge = async (typed) => {
        const { problems, strength } = await policy.judge(typed, typed, { uid: data['uid'] ?? '', isCurrentPin: false });
        const refused = problems.filter((p): p is Exclude<PinProblem, 'mismatch'> => p !== 'mismatch');
        const score = strength?.score ?? 0;
        // A refused PIN never looks strong, whatever zxcvbn alone would say.
        const shown = refused.length > 0 ? Math.min(score, Math.max(policy.minStrength - 1, 0)) : score;
        meter.value = shown;
        const reasons = refused.flatMap((p) => [
          `page.problem.${p}` as MessageKey,
          ...(p === 'weak' && strength
            ? [...(strength.warning ? [`strength.warning.${strength.warning}` as MessageKey] : []), ...strength.suggestions.map((s) => `strength.suggestion.${s}` as MessageKey)]
            : []),
        ]);
        return [t('strength.summary', { level: { key: `strength.level.${shown}` as MessageKey } }), ...(reasons.length > 0 ? reasons.map((key) => t(key)) : [t('strength.enough')])].join(' ');
      };
      waiting = t('strength.waiting');
      if (pin.value === '') text.textContent = waiting;
      box.hidden = false;
    })());

  const update = async () => {
    const mine = ++latest;
    await load();
    const typed = pin.value;
    const said = typed === '' ? undefined : await judge!(typed);
    // Typing went on while this was judged: a newer update will say it.
    if (mine !== latest) return;
    if (said === undefined) meter.value = 0;
    text.textContent = said ?? waiting;
  };
  pin.addEventListener('focus', () => void load(), { once: true });
  pin.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void update(), SETTLE_MS);
  });
  // Autofocused after a refused PIN, or already holding text the browser restored.
  if (document.activeElement === pin || pin.value !== '') void update();
}

showPinSwitch();
strengthGuidance();
