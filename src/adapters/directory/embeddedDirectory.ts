import type { Account, Directory, DirectoryHealth, DirectoryReport, PublishedPinRules, UnlockOutcome } from '../../ports/directory.js';
import type { Clock } from '../../ports/clock.js';
import type { AccountRecord, PinSetter, Table } from '../../ports/store.js';
import { hashPin, verifyPin } from '../../domain/pinHash.js';
import { maskEmail } from '../../domain/contactFormats.js';

export interface AccountImport {
  uid: string;
  name: string;
  email: string;
  upn?: string;
  pin?: string;
}

/** `pin-kept`: nothing was applied, because the row would replace a PIN set since (by the user or the service desk). */
export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'pin-kept';

export interface ImportResult {
  outcome: ImportOutcome;
  /** The PIN set since the last import that the row kept (`pin-kept`) or replaced (with `overwritePins`). */
  pinSetSince?: { at: number; by: Exclude<PinSetter, 'import'> };
}

const toAccount = (r: AccountRecord): Account => ({
  uid: r.uid,
  name: r.name,
  email: r.email,
  ...(r.upn ? { upn: r.upn } : {}),
  ...(r.aadObjectId ? { aadObjectId: r.aadObjectId } : {}),
});

/** The directory kept in the embedded store, with PINs hashed by scrypt and a per-account salt. */
export class EmbeddedDirectory implements Directory {
  readonly kind = 'embedded';
  readonly comparesPins = true;
  /** No logon happens here, so nothing is ever locked out. */
  readonly locksOut = false;

  constructor(private readonly accounts: Table<AccountRecord>, private readonly clock: Clock) {}

  async findByUid(uid: string): Promise<Account | undefined> {
    const r = await this.accounts.get(uid.trim().toLowerCase());
    return r && toAccount(r);
  }

  async findByLogin(upnOrEmail: string): Promise<Account | undefined> {
    const login = upnOrEmail.trim().toLowerCase();
    const [byUpn] = await this.accounts.findBy('upn', login);
    if (byUpn) return toAccount(byUpn);
    const [byEmail] = await this.accounts.findBy('email', login);
    return byEmail && toAccount(byEmail);
  }

  async findByAadObjectId(objectId: string): Promise<Account | undefined> {
    const [r] = await this.accounts.findBy('aadObjectId', objectId.trim().toLowerCase());
    return r && toAccount(r);
  }

  async checkPin(uid: string, pin: string): Promise<boolean> {
    const r = await this.accounts.get(uid.trim().toLowerCase());
    return verifyPin(pin, r?.pinHash);
  }

  async setPin(uid: string, pin: string, by: PinSetter = 'user'): Promise<void> {
    const pinHash = await hashPin(pin);
    const now = this.clock.now();
    // One atomic step after hashing (scrypt takes a while), so a change made meanwhile is not overwritten.
    const found = await this.accounts.update(uid, (r) => (r ? { next: { ...r, pinHash, updatedAt: now, pinSetAt: now, pinSetBy: by }, answer: true } : { answer: false }));
    if (!found) throw new Error('No such account');
  }

  async *listAccounts(): AsyncIterable<Account> {
    for (const r of await this.accounts.all()) yield toAccount(r);
  }

  async unlock(): Promise<UnlockOutcome> {
    return 'unsupported';
  }

  /** The bot's own policy is the only one. */
  async pinRules(): Promise<PublishedPinRules> {
    return {};
  }

  health(): DirectoryHealth {
    return { kind: 'embedded', state: 'up' };
  }

  async diagnose(uid?: string): Promise<DirectoryReport> {
    const lines = ['Directory: embedded (DIRECTORY=embedded): accounts come from `accounts import` and PINs are hashed in the store.'];
    if (uid === undefined) return { lines };
    const account = await this.findByUid(uid);
    if (!account) return { lines, problem: `no account ${uid} in the embedded directory (import it with accounts import)` };
    lines.push(`Account ${account.uid}: name ${account.name}, institutional email ${maskEmail(account.email)}, UPN ${account.upn ?? '(none)'}.`);
    return { lines };
  }

  async close(): Promise<void> {}

  /**
   * Adds or updates an account from the service desk's import; a given PIN is hashed, never kept.
   * A row never silently replaces a PIN set since the last import (by the user or the service
   * desk): such a row is not applied at all (`pin-kept`), unless `overwritePins`.
   */
  async importAccount(row: AccountImport, options: { overwritePins?: boolean } = {}): Promise<ImportResult> {
    // Decided on what is stored, then written only if the account is still as it was read (the PIN
    // work, scrypt, is too slow to hold a lock for): a PIN set meanwhile is decided on again.
    for (let attempt = 1; ; attempt++) {
      const existing = await this.accounts.get(row.uid);
      const planned = await this.planImport(row, existing, options);
      if (!planned.record) return planned.result;
      const record = planned.record;
      const written = await this.accounts.update(row.uid, (current) =>
        (current?.pinHash ?? null) === (existing?.pinHash ?? null) && (current === undefined) === (existing === undefined) ? { next: { ...record, createdAt: current?.createdAt ?? record.createdAt }, answer: true } : { answer: false },
      );
      if (written) return planned.result;
      if (attempt >= 5) throw new Error(`account ${row.uid} kept changing while it was imported; run the import again`);
    }
  }

  /** What an import row does to the account as it is now: the record to write (none: nothing to write) and the outcome. */
  private async planImport(row: AccountImport, existing: AccountRecord | undefined, { overwritePins = false }: { overwritePins?: boolean }): Promise<{ record?: AccountRecord; result: ImportResult }> {
    const now = this.clock.now();
    const sameDetails = existing && existing.name === row.name && existing.email === row.email && (existing.upn ?? '') === (row.upn ?? '');
    const samePin = row.pin === undefined || (existing !== undefined && (await verifyPin(row.pin, existing.pinHash)));
    if (existing && sameDetails && samePin) return { result: { outcome: 'unchanged' } };
    const setBy = existing?.pinSetBy;
    const pinSetSince = !samePin && existing?.pinHash && setBy && setBy !== 'import' ? { at: existing.pinSetAt ?? existing.updatedAt, by: setBy } : undefined;
    if (pinSetSince && !overwritePins) return { result: { outcome: 'pin-kept', pinSetSince } };
    const record: AccountRecord = {
      ...(existing ?? { createdAt: now }),
      uid: row.uid,
      name: row.name,
      email: row.email,
      updatedAt: now,
    };
    if (row.upn) record.upn = row.upn;
    else delete record.upn;
    if (row.pin !== undefined && !samePin) {
      record.pinHash = await hashPin(row.pin);
      record.pinSetAt = now;
      record.pinSetBy = 'import';
    }
    return { record, result: { outcome: existing ? 'updated' : 'created', ...(pinSetSince ? { pinSetSince } : {}) } };
  }

}
