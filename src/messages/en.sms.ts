/**
 * English sentences for the SMS channel (merged into en.ts). A key ending in `.sms` is the
 * shorter form of the same sentence, used on SMS conversations (two segments at most), and says
 * EXIT where other channels say cancel: on SMS a bare CANCEL opts the number out.
 */
export const enSms = {
  'sms.optedOut': 'You are unsubscribed from PIN reset texts and will get no more messages. Text START to subscribe again.',
  'sms.optedIn': 'You are subscribed to PIN reset texts again. Text RESET to reset your portal PIN, or HELP for help.',
  'help.sms': 'Portal PIN reset service. Text REGISTER to add your alternate email and mobile, RESET to reset your PIN, STATUS to see your contacts, EXIT to stop a step, STOP to opt out. Help: {serviceDesk}',
  'help.inFlow.sms': 'PIN reset service: answer the question in my next text, or text EXIT to stop. Help: {serviceDesk}',
  'welcome.sms': 'Hi! This is the portal PIN reset service. Reply with a number, or tell me what you need (such as "forgot my PIN"):',
  'unknownCommand.sms': "Sorry, I didn't understand that. Reply with a number:",
  'code.choices.sms': 'Text the code, RESEND for a new one, CHANGE {change}, or EXIT to stop.',
  'code.undelivered.sms': 'Sorry, I could not send the code. Text RESEND to try again, or EXIT to stop.',
  'code.undeliveredEmail': 'Sorry, the code could not be delivered by SMS. Type **email** to get a link at your registered alternate email instead, or **resend** to try again.',
  'reset.smsUnavailable': 'Sorry, SMS codes are unavailable right now. You can get a link at your registered alternate email instead.',
  'register.smsUnavailable': 'Sorry, texts cannot be sent right now, so I cannot check a mobile number and nothing was saved. Please try again later; you can still reset your PIN by email. Help: {serviceDesk}',
} as const;
