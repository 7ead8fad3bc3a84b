/** English sentences for Microsoft Teams: signed-in identity, cards, the PIN page as a dialog (merged into en.ts). */
export const enTeams = {
  'teams.tenantRefused': 'Sorry, this assistant is only for accounts of our institution, and your Teams organisation is not one of them. For help with your portal PIN, contact {serviceDesk}.',
  'teams.signedInAs': 'You are signed in to Teams as **{uid}**, so there is no need to check who you are by email.',
  'teams.confirmUid': 'You are signed in to Teams as **{uid}**. Do you want to reset the PIN of **{uid}**?',
  'teams.badConfirm': 'Please answer **yes** to reset the PIN of **{uid}**, or **no** to give another portal UID.',
  'teams.setPinCard': 'Thank you, that is right. Select **Set new PIN** within {minutes} minutes to choose your new PIN (it works once).',
  'teams.openInBrowser': 'Open in browser',
  'teams.dialogTitle': 'Set a new portal PIN',
  'teams.pinChanged': 'Your portal PIN has been changed, and your registered contacts have been told. Type **help** if there is anything else.',
  'teams.linkUnavailable': 'That button no longer works. Type **reset** to start again.',
  'teams.button.register': 'Register contacts',
  'teams.button.reset': 'Reset PIN',
  'teams.button.status': 'My contacts',
  'teams.button.help': 'Help',
  'answer.yes': 'Yes',
  'answer.no': 'No',
} as const;
