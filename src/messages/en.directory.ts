/**
 * English sentences for the account directory (Active Directory, OpenLDAP): when it cannot be
 * reached, when it refuses a new PIN under its own rules, and the unlock flow (merged into en.ts).
 */
export const enDirectory = {
  // When the directory cannot be reached (chat, SMS and the pages)
  'directory.unavailable': "I can't reach the account directory right now; please try again in a few minutes.",
  'page.directory.unavailable.title': 'The account directory cannot be reached',
  'page.directory.unavailable.text': "I can't reach the account directory right now, so nothing was changed. Please try again in a few minutes; this link still works until it expires.",

  // The directory's own PIN rules, said before the user types
  'page.directory.rule.minLength': 'The account directory requires at least {n} characters.',
  'page.directory.rule.complexity': 'The account directory also requires characters from at least three of these: capital letters, small letters, digits and symbols, and no part of your name or UID.',
  'page.directory.rule.history': 'The account directory does not accept your current PIN or any of your last {n}.',

  // The directory refused the new PIN under its own rules (the link still works)
  'page.directory.refused.too-short': 'The account directory needs a longer PIN: at least {n} characters.',
  'page.directory.refused.too-short.any': 'The account directory needs a longer PIN than this. Try a longer phrase.',
  'page.directory.refused.complexity': 'The account directory needs characters from at least three of these: capital letters, small letters, digits and symbols, and no part of your name or UID.',
  'page.directory.refused.quality': "The account directory's quality check did not accept this PIN. Choose a longer one that is harder to guess.",
  'page.directory.refused.history': 'The account directory does not accept your current PIN or one you used recently. Choose a PIN you have not used before.',
  'page.directory.refused.too-young': 'Your PIN was changed too recently for the account directory to allow another change yet. Please try again later, or contact {serviceDesk}.',
  'page.directory.refused.other': 'The account directory did not accept this PIN under its own rules. Choose a different PIN, or contact {serviceDesk}.',

  // Unlock, in chat
  'unlock.askMethod': 'To unlock your account without changing your PIN, I need to check it is you. How would you like to verify?\n1. **email**: a link to your registered alternate email\n2. **sms**: a code to your registered mobile',
  'unlock.emailSent': 'If **{uid}** has a registered alternate email, I have sent a link to it, unless that address has had too many messages this hour (then try again in an hour). Open it within {minutes} minutes to unlock the account; your PIN stays the same.',
  'unlock.smsSent': 'If **{uid}** has a registered mobile number, I have sent a {digits}-digit code to it by SMS, unless that number has had too many codes this hour (then try again in an hour). Type the code here, or **resend** for a new one.',
  'unlock.done': "Thank you. The account **{uid}** is unlocked: sign in with your current PIN. I've told your registered contacts. If you have forgotten the PIN, type **reset**.",
  'unlock.notLocked': 'Thank you. The account **{uid}** is not locked, so there was nothing to unlock. If your PIN does not work, type **reset** to choose a new one.',
  'unlock.expired': 'That took too long, so for your security I have not unlocked the account. Type **unlock** to start again.',
  'unlock.noLockout': 'Accounts here are never locked by wrong PINs, so there is nothing to unlock. If you cannot sign in, you can choose a new PIN: type **reset**.',
  'unlock.offerReset': 'reset',

  // Unlock by email link, and the code by SMS
  'mail.unlock.subject': 'Unlock your portal account',
  'mail.unlock.text': 'We received a request to unlock the portal account {uid}. To unlock it, open this link within {minutes} minutes and confirm:\n\n{url}\n\nYour PIN stays the same. The link works once. If you did not ask for this, ignore this email. Questions: {serviceDesk}.',
  'sms.unlock.code': 'Your portal account unlock code is {code}. It expires in {minutes} min. Never share it.',

  // The unlock page
  'unlock.page.title': 'Unlock your portal account',
  'unlock.page.intro': 'Unlock the portal account {uid}. Your PIN stays the same: after unlocking, sign in with your current PIN.',
  'unlock.page.submit': 'Unlock my account',
  'unlock.page.done.title': 'Your account is unlocked',
  'unlock.page.done.text': 'You can sign in to the portal again with your current PIN. We have told your registered contacts. You can close this page.',
  'unlock.page.notLocked.title': 'Your account is not locked',
  'unlock.page.notLocked.text': 'There was nothing to unlock. If your PIN does not work, start a reset in chat.',

  // After an unlock, to every registered contact and the institutional email
  'notice.unlocked.subject': 'Your portal account was unlocked',
  'notice.unlocked.text': 'The portal account {uid} was unlocked on {when}, using {method}. Its PIN was not changed.\n\nIf this was you, there is nothing more to do. If it was not you, contact {serviceDesk} now: someone may be trying to guess your PIN.',
  'notice.unlocked.sms': 'Portal account {uid} was unlocked just now. Not you? Contact {serviceDesk}.',
  'notice.unlocked.viaEmail': 'a link sent to the registered alternate email',
  'notice.unlocked.viaSms': 'a code sent by SMS to the registered mobile',
  'unlock.smsResent': 'If **{uid}** has a registered mobile number, I have sent a new code to it by SMS, unless that number has had too many codes this hour (then try again in an hour). Earlier codes no longer work; type the new one here.',
  'code.change.unlock-sms': 'to choose another way',
  'code.remind.unlock-sms': "I'm waiting for the {digits}-digit code that goes by SMS to the registered mobile number of **{uid}**, if it has one, to unlock the account.",
} as const;
