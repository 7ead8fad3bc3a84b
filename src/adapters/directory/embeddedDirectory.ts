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
    // Read after hashing (scrypt takes a while), so a change made meanwhile is not overwritten.
    const r = await this.accounts.get(uid);
    if (!r) throw new Error('No such account');
    r.pinHash = pinHash;
    r.updatedAt = this.clock.now();
    r.pinSetAt = r.updatedAt;
    r.pinSetBy = by;
    await this.accounts.put(r);
  }

  async *listAccounts(): AsyncIterable<Account> {
    // One pass; the predicate keeps each copy it is handed instead of asking for a second one.
    const all: Account[] = [];
    await this.accounts.scan((r) => {
      all.push(toAccount(r));
      return false;
    });
    yield* all;
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
  async importAccount(row: AccountImport, { overwritePins = false }: { overwritePins?: boolean } = {}): Promise<ImportResult> {
    const now = this.clock.now();
    const existing = await this.accounts.get(row.uid);
    const sameDetails = existing && existing.name === row.name && existing.email === row.email && (existing.upn ?? '') === (row.upn ?? '');
    const samePin = row.pin === undefined || (existing !== undefined && (await verifyPin(row.pin, existing.pinHash)));
    if (existing && sameDetails && samePin) return { outcome: 'unchanged' };
    const setBy = existing?.pinSetBy;
    const pinSetSince = !samePin && existing?.pinHash && setBy && setBy !== 'import' ? { at: existing.pinSetAt ?? existing.updatedAt, by: setBy } : undefined;
    if (pinSetSince && !overwritePins) return { outcome: 'pin-kept', pinSetSince };
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
    await this.accounts.put(record);
    return { outcome: existing ? 'updated' : 'created', ...(pinSetSince ? { pinSetSince } : {}) };
  }
}
