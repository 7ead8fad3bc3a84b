import type { Services } from '../../src/services.js';
import { recordSecret, recordSecretsIn } from './secrets.js';

/**
 * Records, for the end-of-run secret scan, every code and link token the services send and every
 * PIN that reaches the directory (imported, set or checked). Patches the instances, not the classes.
 */
export function watchSecrets(services: Services): void {
  // Shorter strings are refused by the PIN policy before any comparison, and would match everywhere.
  const recordPin = (value: string | undefined) => recordSecret('pin', value !== undefined && value.length >= 8 ? value : undefined);
  const { outbound, directory } = services;
  const email = outbound.email.bind(outbound);
  const text = outbound.text.bind(outbound);
  outbound.email = (message) => {
    recordSecretsIn(message.text);
    recordSecret('token', ...[...(message.html ?? '').matchAll(/\/reset\/([A-Za-z0-9_-]{16,})/g)].map((m) => m[1]));
    return email(message);
  };
  outbound.text = (to, body) => {
    recordSecretsIn(body);
    return text(to, body);
  };
  const setPin = directory.setPin.bind(directory);
  const checkPin = directory.checkPin.bind(directory);
  directory.setPin = (uid, pin, by) => {
    recordPin(pin);
    return setPin(uid, pin, by);
  };
  directory.checkPin = (uid, pin) => {
    recordPin(pin);
    return checkPin(uid, pin);
  };
  const embedded = services.embeddedDirectory;
  if (embedded) {
    const importAccount = embedded.importAccount.bind(embedded);
    embedded.importAccount = (row, options) => {
      recordPin(row.pin);
      return importAccount(row, options);
    };
  }
}
