import type { AccountRecord, Table } from '../ports/store.js';
import { languageOfLocale, type Language } from '../messages/catalog.js';

/**
 * The language each account's owner chose, kept on the account record in our store (`locale`), so
 * it follows the person across conversations and channels, and mail or SMS sent outside a chat
 * (links, codes, notices) uses it. Unknown accounts and accounts with no choice yet: undefined.
 */
export class LanguagePreferences {
  constructor(private readonly accounts: Table<AccountRecord>) {}

  async of(uid: string): Promise<Language | undefined> {
    const record = await this.accounts.get(uid.trim().toLowerCase());
    return languageOfLocale(record?.locale);
  }

  /** Remembers `language` for an existing account; does nothing for an unknown one. */
  async remember(uid: string, language: Language): Promise<void> {
    // No await between the read and the write: nothing else can change the record in between.
    const record = await this.accounts.get(uid.trim().toLowerCase());
    if (!record || record.locale === language) return;
    await this.accounts.put({ ...record, locale: language });
  }
}
