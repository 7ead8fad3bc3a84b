/**
 * Every sentence a user reads, in English. Placeholders are {name}. Each area's sentences live in
 * their own file, spread in here with one line; zh-hk.ts mirrors this file key for key (the
 * compiler and test/languages.test.ts both check that no key is missing).
 */
import { enPage } from './en.page.js';
import { enStrength } from './en.strength.js';
import { enTeams } from './en.teams.js';
import { enSms } from './en.sms.js';
import { enPrivacy } from './en.privacy.js';
import { enAbuse } from './en.abuse.js';
import { enStore } from './en.store.js';
import { enConversation } from './en.conversation.js';
import { enSecurity } from './en.security.js';
import { enDesk } from './en.desk.js';
import { enDirectory } from './en.directory.js';

export const en = {
  ...enPage,
  ...enStrength,
  ...enTeams,
  ...enSms,
  ...enPrivacy,
  ...enAbuse,
  ...enStore,
  ...enConversation,
  ...enSecurity,
  ...enDesk,
  ...enDirectory,
  // General
  'welcome': "Hi! I'm the PIN reset assistant. I can help you register an alternate email and mobile number, and reset your portal PIN if you forget it.\n\nWhat would you like to do? Pick one below, or tell me in your own words, such as \"I forgot my PIN\". Type **中文** to chat in Chinese.",
  'help': 'Here is what I can do:\n- **register**: add or change your alternate email and mobile number, so you can reset your PIN yourself.\n- **reset**: reset a forgotten portal PIN.\n- **status**: see which contacts you have registered.\n- **cancel**: stop what we are doing.\n- **中文** or **language**: switch to Chinese; **English** switches back.\n\nStuck? Contact {serviceDesk}.',
  'help.inFlow': "I'll ask my question again below: answer it, or type **cancel** to stop. Stuck? Contact {serviceDesk}.",
  'cancelled': 'OK, I have stopped. Nothing more was changed. Type **help** to see what I can do.',
  'nothingToCancel': 'There is nothing to cancel. Type **help** to see what I can do.',
  'unknownCommand': "Sorry, I didn't understand that. What would you like to do? Pick one below, or type **help**.",
  'language.switched': "OK, I'll reply in English from now on. Type **中文** to switch to Chinese.",
  'turnError': 'Sorry, something went wrong on our side and I had to start over. Please try again; if it keeps happening, contact {serviceDesk}.',

  // Identity
  'identity.askUid': 'What is your portal UID?',
  'identity.codeNotUid': 'That looks like a verification code, not a portal UID. Please type a code only where I ask for one.\n\nWhat is your portal UID? It is the user name you sign in to the portal with, such as **jdoe**.',
  'identity.badUid': "That doesn't look like a portal UID. It is the user name you sign in to the portal with, such as **jdoe**. What is your portal UID?",
  'identity.codeSent': 'If **{uid}** is an account here, I have sent a {digits}-digit code to its institutional email address. Type the code here, or **resend** for a new one.',

  // Codes
  'code.badFormat': 'The code is {digits} digits, like 123456.',
  'code.wrong': "That code isn't right. You have {triesLeft} {triesLeft, plural, one {try} other {tries}} left. Type the code again, or **resend** for a new one.",
  'code.dead': 'That code has had too many wrong tries and no longer works. Type **resend** for a new one.',
  'code.expired': 'That code has expired. Type **resend** for a new one.',
  'code.undelivered': 'Sorry, I could not send the code. Type **resend** to try again, or **cancel** and try the other method.',
  'code.resentIdentity': 'If **{uid}** is an account here, I have sent a new code to its institutional email address. Earlier codes no longer work; type the new one here.',

  // Limits
  'limit.paused': 'For your security, self-service for this account is paused until {until} (Hong Kong time). Please try again after that; if you need help sooner, contact {serviceDesk}.',
  // Also said when a limit on codes to one address or number stopped the send: which of the two it was is never said.
  'send.failed': 'Sorry, I could not send a code to {target} just now. Please try again later, or use a different one.',

  // Registration
  'register.askEmail': 'What alternate email address should we use to reach you? It must be a personal address, not your institutional one.',
  'register.badEmail': "That doesn't look like an email address. Please type an address such as name@gmail.com.",
  'register.institutionalEmail': 'That is an institutional address. Please give a personal address that does not end in {domains}.',
  'register.emailCodeSent': 'I have sent a {digits}-digit code to {target}. Type it here, or **resend** for a new one.',
  'register.askMobile': 'What is your mobile number? An 8-digit Hong Kong number, or an international number starting with +.',
  'register.badMobile': "That doesn't look like a mobile number. Type 8 digits for a Hong Kong mobile (like 9123 4567), or + and the country code for another country.",
  'register.mobileCodeSent': 'I have sent a {digits}-digit code by SMS to {target}. Type it here, or **resend** for a new one.',
  'register.emailResent': 'I have sent a new code to {target}. Earlier codes no longer work; type the new one here.',
  'register.mobileResent': 'I have sent a new code by SMS to {target}. Earlier codes no longer work; type the new one here.',
  'register.saved': "All done. These contacts are saved and verified:\n- Email: {email}\n- Mobile: {mobile}\n\nYou can use them to reset your PIN. I've told your institutional email and your previous contacts about this change.",
  'register.savedFirst': "All done. These contacts are saved and verified:\n- Email: {email}\n- Mobile: {mobile}\n\nYou can use them to reset your PIN. I've told your institutional email about this change.",
  'register.expired': 'That took too long, so for your security I have not saved anything. Type **register** to start again.',

  // Reset PIN
  'reset.askMethod': 'How would you like to verify?\n1. **email**: a link to your registered alternate email\n2. **sms**: a code to your registered mobile',
  'reset.method.email': 'email',
  'reset.method.sms': 'sms',
  'reset.badMethod': 'Please answer **email** or **sms** (or 1 or 2).',
  // Hedged alike for every UID: an unknown account, no contact, and a limit on sends to the contact all send nothing.
  'reset.emailSent': 'If **{uid}** has a registered alternate email, I have sent a link to it, unless that address has had too many messages this hour (then try again in an hour). Open the link within {minutes} minutes to set a new PIN. No email? Check your junk folder.',
  'reset.smsSent': 'If **{uid}** has a registered mobile number, I have sent a {digits}-digit code to it by SMS, unless that number has had too many codes this hour (then try again in an hour). Type the code here, or **resend** for a new one.',
  'reset.smsResent': 'If **{uid}** has a registered mobile number, I have sent a new code to it by SMS, unless that number has had too many codes this hour (then try again in an hour). Earlier codes no longer work; type the new one here.',
  'reset.linkReady': 'Thank you, that is right. Set your new PIN on this page within {minutes} minutes (the link works once):\n{url}',
  'reset.linkButton': 'Set new PIN',
  'reset.linkFailed': 'That took too long, so for your security I cannot give you the link. Type **reset** to start again.',

  // Status
  'status.none': 'No contacts are registered for this account yet. Type **register** to add them.',
  'status.show': 'Registered contacts for this account:\n- Email: {email}\n- Mobile: {mobile}\n\nType **register** to change them.',
  'status.notSet': 'not set',

  // Messages sent outside the chat
  'mail.code.subject': 'Your verification code',
  'mail.code.text': 'Your verification code is {code}. It expires in {minutes} minutes.\n\nIf you did not ask for this, you can ignore this email; nothing changes without the code. If you have questions, contact {serviceDesk}.',
  'sms.code': 'Your PIN reset verification code is {code}. It expires in {minutes} min. Never share it.',
  'notice.contactsChanged.subject': 'Your PIN reset contacts were changed',
  'notice.contactsChanged.text': 'The alternate email and mobile number used to reset the portal PIN of {uid} were changed on {when} {via}.\nEmail: {email}\nMobile: {mobile}\n\nIf this was not you, contact {serviceDesk} now.',
  'notice.via.teams': 'in Microsoft Teams',
  'notice.via.sms': 'by text message',
  'notice.via.chat': 'in a chat',
  'serviceDesk.above': 'the service desk named above',
  'notice.contactsChanged.sms': '{uid}: your PIN reset contacts were changed. Not you? Contact {serviceDesk}.',
} as const;

export type MessageKey = keyof typeof en;
