/**
 * SMS conventions: these words as the whole message opt a number out of, or back into, texts
 * from the bot. On SMS a bare CANCEL opts out (carriers and Twilio treat it so); a flow in
 * progress is stopped with EXIT instead.
 */
const OPT_OUT = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit']);
const OPT_IN = new Set(['start', 'unstop']);

export type SmsKeyword = 'opt-out' | 'opt-in';

export function smsKeyword(text: string | undefined): SmsKeyword | undefined {
  const word = (text ?? '').trim().toLowerCase().replace(/[.!。！]+$/, '');
  if (OPT_OUT.has(word)) return 'opt-out';
  if (OPT_IN.has(word)) return 'opt-in';
  return undefined;
}
