/** English sentences for the PIN page, reset emails/SMS and PIN-change notices (merged into en.ts). */
export const enPage = {} as const;
