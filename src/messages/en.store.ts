/** English sentences for when the store cannot be reached (issue 15; merged into en.ts). */
export const enStore = {
  'store.unavailable': 'Sorry, I cannot reach our records just now, so nothing was changed. Please try again in a few minutes; if it keeps happening, contact {serviceDesk}.',
  'store.unavailable.sms': 'Sorry, our records are out of reach just now; nothing was changed. Please try again in a few minutes.',
  'store.unavailable.title': 'Please try again in a few minutes',
  'store.unavailable.page': 'Sorry, we cannot reach our records just now, so nothing was changed. Please try again in a few minutes; your link keeps working until it expires.',
} as const;
