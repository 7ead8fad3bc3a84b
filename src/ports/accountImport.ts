/** One row of `accounts import`, as the service desk gives it; `pin` is hashed by the directory and never kept. */
export interface AccountImport {
  uid: string;
  name: string;
  email: string;
  upn?: string;
  pin?: string;
}

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

/** A directory the service desk fills by CSV import (the embedded one). */
export interface AccountImporter {
  importAccount(row: AccountImport): Promise<ImportOutcome>;
}
