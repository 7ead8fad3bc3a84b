/** English sentences for the security checks on what users type, and service-desk actions users are told of (merged into en.ts). */
export const enSecurity = {
  'contact.refused.invisible': 'What you typed contains a hidden character (a control or formatting mark), so I cannot use it as an address or a number. Please type it again yourself rather than pasting it.',
  'contact.refused.invalid-number': 'That is not a valid phone number: no such number can exist. Please check it and type it again: 8 digits for a Hong Kong mobile (like 9123 4567), or + and the country code for another country.',
  'contact.refused.landline': 'That is a landline number, and a landline cannot receive a text. Please type a mobile number: 8 digits for a Hong Kong mobile (like 9123 4567), or + and the country code for another country.',
  'contact.refused.cannot-text': 'That number cannot receive a text: it is not a mobile number (it may be toll-free, a pager or an internet number). Please type a mobile number: 8 digits for a Hong Kong mobile, or + and the country code for another country.',
  // Completes "The portal PIN of {uid} was changed on {when}, using {method}."
  'notice.pinChanged.byServiceDesk': 'the service desk (a new PIN set for you on request)',
} as const;
