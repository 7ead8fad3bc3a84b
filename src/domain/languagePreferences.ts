import type { Clock } from '../ports/clock.js';
import { DirectoryUnavailableError, type Directory } from '../ports/directory.js';
import type { PreferenceRecord, Table } from '../ports/store.js';
import { languageOfLocale, type Language } from '../messages/catalog.js';

/**
 * The language each account's owner chose, kept in the store beside (not in) the directory, so it
 * follows the person across conversations and channels, and mail or SMS sent outside a chat
 * (links, codes, notices) uses it. Unknown accounts and accounts with no choice yet: undefined.
 */
export class LanguagePreferences {
  constructor(
    private readonly preferences: Table<PreferenceRecord>,
    private readonly directory: Directory,
    private readonly clock: Clock,
  ) {}

  async of(uid: string): Promise<Language | undefined> {
    const record = await this.preferences.get(uid);
    return languageOfLocale(record?.language);
  }

  /** Remembers `language` for an existing account; does nothing for an unknown one. */
  async remember(uid: string, language: Language): Promise<void> {
    // A language is not worth stopping a flow for: with the directory unreachable it is remembered next time.
    const account = await this.directory.findByUid(uid).catch((err: unknown) => {
      if (err instanceof DirectoryUnavailableError) return undefined;
      throw err;
    });
    if (!account) return;
    const now = this.clock.now();
    await this.preferences.update(account.uid, (current) =>
      languageOfLocale(current?.language) === language ? { answer: undefined } : { next: { uid: account.uid, language, updatedAt: now }, answer: undefined },
    );
  }
}
