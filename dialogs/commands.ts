/** The words that start or stop a flow, in the forms users type them. */
export type Command = 'register' | 'reset' | 'status' | 'help' | 'cancel';

const WORDS: Record<string, Command> = {
  register: 'register',
  registration: 'register',
  'register contacts': 'register',
  reset: 'reset',
  'reset pin': 'reset',
  forgot: 'reset',
  'forgot pin': 'reset',
  'forgot my pin': 'reset',
  status: 'status',
  'my contacts': 'status',
  help: 'help',
  '?': 'help',
  menu: 'help',
  cancel: 'cancel',
  stop: 'cancel',
  quit: 'cancel',
  exit: 'cancel',
};

export function normalizeInput(text: string | undefined): string {
  return (text ?? '')
    .replace(/<at>.*?<\/at>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[.!。！]+$/, '')
    .replace(/\s+/g, ' ');
}

export function recognizeCommand(text: string | undefined): Command | undefined {
  return WORDS[normalizeInput(text)];
}

export const isResend = (text: string | undefined) => /^(resend|send again|new code)$/.test(normalizeInput(text));
