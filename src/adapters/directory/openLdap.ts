import { Attribute, Change, ConstraintViolationError, NoSuchAttributeError, ResultCodeError, type Entry } from 'ldapts';
import { DirectoryUnavailableError, PinRefusedError, type DirectoryRefusal, type PublishedPinRules } from '../../ports/directory.js';
import type { LdapDialect } from './ldapDirectory.js';
import { PASSWORD_MODIFY_OID, PasswordPolicyControl, PPOLICY_ERRORS, WHO_AM_I_OID, passwordModifyRequest } from './ldapControls.js';
import { describeRules } from './activeDirectory.js';

const number = (value: Entry[string] | undefined): number | undefined => {
  const v = Number(([] as unknown[]).concat(value ?? [])[0]);
  return Number.isFinite(v) ? v : undefined;
};

/**
 * OpenLDAP: the PIN is set with the Password Modify extended operation (RFC 3062) as the service
 * account, with the password policy request control, so that ppolicy says which rule refused it.
 * A lockout is cleared by deleting pwdAccountLockedTime; a password change by the service account
 * has usually cleared it already, so "no such attribute" then counts as done.
 */
export const openLdap: LdapDialect = {
  extraAttributes: ['pwdAccountLockedTime', 'pwdPolicySubentry'],

  async setPin(connection, found, pin) {
    const control = new PasswordPolicyControl();
    try {
      await connection.run((c) => c.exop(PASSWORD_MODIFY_OID, passwordModifyRequest(found.dn, pin), control));
    } catch (err) {
      if (err instanceof ConstraintViolationError) throw new PinRefusedError(ppolicyRefusal(control.error, err.message), err.message.split('\n')[0]!);
      if (err instanceof ResultCodeError) throw new DirectoryUnavailableError(`OpenLDAP refused to set the PIN (error ${err.code}: ${err.message}); see "Connecting your directory" in the README`);
      throw err;
    }
  },

  async unlock(connection, found, afterReset) {
    if (!afterReset) {
      const { searchEntries } = await connection.run((c) => c.search(found.dn, { scope: 'base', attributes: ['pwdAccountLockedTime'] }), { retry: true });
      if ([searchEntries[0]?.['pwdAccountLockedTime'] ?? []].flat().length === 0) return 'not-locked';
    }
    try {
      await connection.run((c) => c.modify(found.dn, new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdAccountLockedTime', values: [] }) })));
      return 'unlocked';
    } catch (err) {
      if (err instanceof NoSuchAttributeError) return 'not-locked';
      throw err;
    }
  },

  /** Only a policy the account names (pwdPolicySubentry) is read: the default one lives in cn=config, which the service account cannot read. */
  async pinRules(connection, found) {
    const policyDn = [found?.entry['pwdPolicySubentry'] ?? []].flat()[0];
    if (!policyDn) return {};
    const { searchEntries } = await connection.run((c) => c.search(String(policyDn), { scope: 'base', attributes: ['pwdMinLength', 'pwdInHistory'] }), { retry: true });
    const policy = searchEntries[0] ?? { dn: '' };
    const minLength = number(policy['pwdMinLength']);
    const history = number(policy['pwdInHistory']);
    return { ...(minLength ? { minLength } : {}), ...(history ? { history } : {}) } satisfies PublishedPinRules;
  },

  async diagnose(connection, _settings, found, say) {
    try {
      const who = await connection.run((c) => c.exop(WHO_AM_I_OID));
      say(`Who am I: ${who.value || '(anonymous)'}.`);
    } catch {
      say('Who am I: the server did not answer the "who am I" operation.');
    }
    if (found) {
      const locked = [found.entry['pwdAccountLockedTime'] ?? []].flat().length > 0;
      say(`Lockout: ${locked ? 'the account is locked (pwdAccountLockedTime is set)' : 'not locked'}.`);
      say(`Published rules: ${describeRules(await this.pinRules(connection, found))}.`);
    }
    say('Reset rights: not checked (slapd has no effective-rights control); a reset on a test account shows them. See the ACL in the README.');
    return undefined;
  },
};

/** ppolicy's reason from its response control, else from the server's words. */
export function ppolicyRefusal(error: number | undefined, message: string): DirectoryRefusal {
  switch (error) {
    case PPOLICY_ERRORS.passwordTooShort:
      return 'too-short';
    case PPOLICY_ERRORS.insufficientPasswordQuality:
      return 'quality';
    case PPOLICY_ERRORS.passwordInHistory:
      return 'history';
    case PPOLICY_ERRORS.passwordTooYoung:
      return 'too-young';
  }
  if (/too short/i.test(message)) return 'too-short';
  if (/quality/i.test(message)) return 'quality';
  if (/history|not being changed/i.test(message)) return 'history';
  if (/too young/i.test(message)) return 'too-young';
  return 'other';
}
