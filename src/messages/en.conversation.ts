/** English sentences for how a conversation starts, changes course and stays safe (merged into en.ts). */
export const enConversation = {
  'thanks.reply': "You're welcome! If there is anything else, type **help**.",
  'pin.typed': "Never type your PIN in chat; you'll set it on a private page.",
  'pin.typedAtStart': "Never type your PIN in chat; you'll set it on a private page. To get a link to that page, type **reset**.",

  // Another flow asked for in the middle of one: what happens now, then it happens.
  'switch.register': "OK, I've stopped here (nothing more was changed). Let's register your alternate email and mobile number instead.",
  'switch.reset': "OK, I've stopped here (nothing more was changed). Let's reset your portal PIN instead.",
  'switch.status': "OK, I've stopped here (nothing more was changed). Let's look at the contacts you have registered instead.",
  'switch.unlock': "OK, I've stopped here (nothing more was changed). Let's unlock your portal account instead.",
  'already.register': "We are registering your contacts already, so let's carry on.",
  'already.reset': "We are resetting your PIN already, so let's carry on.",
  'already.status': "We are looking up your contacts already, so let's carry on.",
  'already.unlock': "We are unlocking your account already, so let's carry on.",

  // At a code prompt: what else can be typed there (`change` goes back to the question before the code).
  'code.choices': 'Type the code here, **resend** for a new one, **change** {change}, or **cancel** to stop.',
  'code.change.identity': 'to type a different UID',
  'code.change.alt-email': 'to give a different address',
  'code.change.mobile': 'to give a different number',
  'code.change.reset-sms': 'to choose another way',
  'code.remind.identity': "I'm waiting for the {digits}-digit code that goes to the institutional email address of **{uid}**, if it is an account here.",
  'code.remind.alt-email': "I'm waiting for the {digits}-digit code sent to {target}.",
  'code.remind.mobile': "I'm waiting for the {digits}-digit code sent by SMS to {target}.",
  'code.remind.reset-sms': "I'm waiting for the {digits}-digit code that goes by SMS to the registered mobile number of **{uid}**, if it has one.",
  'code.goingBack': 'No problem: that code no longer works.',
} as const;
