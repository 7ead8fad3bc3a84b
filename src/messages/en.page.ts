/** English sentences for the PIN page, reset emails/SMS and PIN-change notices (merged into en.ts). */
export const enPage = {
  // The PIN page (plain text; the page escapes it)
  'page.title': 'Set a new portal PIN',
  'page.errorTitle': 'Error: {title}',
  'page.intro': 'Choose a new PIN for the portal account {uid}.',
  'page.pin.label': 'New PIN',
  'page.pin.hint': 'Use {min} to {max} characters. A phrase you can remember is best; spaces are allowed. Avoid common passwords and your UID.',
  'page.confirm.label': 'Type the new PIN again',
  'page.submit': 'Set PIN',
  'page.errorSummary': 'Your PIN was not changed. Please fix the following:',
  'page.problem.too-short': 'Your PIN must be at least {min} characters long.',
  'page.problem.too-long': 'Your PIN must be at most {max} characters long.',
  'page.problem.is-uid': 'Your PIN must not contain your UID.',
  'page.problem.is-current': 'Your new PIN must be different from your current PIN.',
  'page.problem.common': 'This PIN is on a list of common passwords that are easy to guess. Please choose another.',
  'page.problem.mismatch': 'The two PINs do not match. Type the same PIN in both fields.',
  'page.done.title': 'Your PIN has been changed',
  'page.done.text': 'You can now sign in to the portal with your new PIN. We have told your registered contacts about this change. You can close this page.',
  'page.invalid.title': 'This link is no longer valid',
  'page.invalid.text': 'This link is no longer valid; start again in chat. Each link works once and only for a short time.',
  'page.error.title': 'Something went wrong',
  'page.error.text': 'Sorry, something went wrong on our side and your PIN was not changed. Please try again in a moment.',
  'page.methodNotAllowed.title': 'Not allowed',
  'page.methodNotAllowed.text': 'This page cannot be used that way. Open the link from your email or chat in a browser.',
  'page.footer': 'Need help? Contact {serviceDesk}.',

  // Reset link by email, reset code by SMS
  'mail.reset.subject': 'Reset your portal PIN',
  'mail.reset.text': 'We received a request to reset the portal PIN of {uid}. To choose a new PIN, open this link within {minutes} minutes:\n\n{url}\n\nThe link works once. If you did not ask for this, ignore this email; your PIN stays the same. If you have questions, contact {serviceDesk}.',
  'sms.reset.code': 'Your portal PIN reset code is {code}. It expires in {minutes} min. Never share it.',

  // After a PIN change, to every registered contact and the institutional email
  'notice.pinChanged.subject': 'Your portal PIN was changed',
  'notice.pinChanged.text': 'The portal PIN of {uid} was changed on {when}, using {method}.\n\nIf this was you, there is nothing more to do. If it was not you, contact {serviceDesk} now.',
  'notice.pinChanged.sms': 'Portal PIN of {uid} was changed just now. Not you? Contact {serviceDesk}.',
  'notice.pinChanged.viaEmail': 'a reset link sent to the registered alternate email',
  'notice.pinChanged.viaSms': 'a code sent by SMS to the registered mobile',
} as const;
