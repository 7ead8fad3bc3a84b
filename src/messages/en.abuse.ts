/** English sentences for flood limits (merged into en.ts). */
export const enAbuse = {
  'page.tooMany.title': 'Please wait a moment',
  'page.tooMany.text': 'There were too many requests to this page from your network. Please wait {seconds} seconds and try again; your link keeps working until it expires.',
} as const;
