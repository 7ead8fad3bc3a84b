/** A store problem an operator must fix by hand; the message names the file and what to do. */
export class StoreError extends Error {
  constructor(message: string, public readonly file?: string) {
    super(message);
    this.name = 'StoreError';
  }
}
