import type { Account, Directory, DirectoryHealth, DirectoryReport, PublishedPinRules, UnlockOutcome } from '../../ports/directory.js';
import type { Clock } from '../../ports/clock.js';
import type { AccountRecord, Table } from '../../ports/store.js';
import { hashPin, verifyPin } from '../../domain/pinHash.js';
import { maskEmail } from '../../domain/contactFormats.js';

export interface AccountImport {
  uid: string;
  name: string;
  email: string;
  upn?: string;
  pin?: string;
}

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

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

  async setPin(uid: string, pin: string): Promise<void> {
    const pinHash = await hashPin(pin);
    // Read after hashing (scrypt takes a while), so a change made meanwhile is not overwritten.
    const r = await this.accounts.get(uid);
    if (!r) throw new Error('No such account');
    r.pinHash = pinHash;
    r.updatedAt = this.clock.now();
    await this.accounts.put(r);
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

  /** Adds or updates an account from the service desk's import; a given PIN is hashed, never kept. */
  async importAccount(row: AccountImport): Promise<ImportOutcome> {
    const now = this.clock.now();
    const existing = await this.accounts.get(row.uid);
    const sameDetails = existing && existing.name === row.name && existing.email === row.email && (existing.upn ?? '') === (row.upn ?? '');
    const samePin = row.pin === undefined || (existing !== undefined && (await verifyPin(row.pin, existing.pinHash)));
    if (existing && sameDetails && samePin) return 'unchanged';
    const record: AccountRecord = {
      ...(existing ?? { createdAt: now }),
      uid: row.uid,
      name: row.name,
      email: row.email,
      updatedAt: now,
    };
    if (row.upn) record.upn = row.upn;
    else delete record.upn;
    if (row.pin !== undefined && !samePin) record.pinHash = await hashPin(row.pin);
    await this.accounts.put(record);
    return existing ? 'updated' : 'created';
  }
}
