import { describe, expect, test } from '@jest/globals';
import { BerReader, BerWriter, FilterParser } from 'ldapts';
import { equals, escapeDnValue, escapeFilterValue } from '../src/adapters/directory/ldapEscape.js';
import { adRefusal, meetsAdComplexity } from '../src/adapters/directory/activeDirectory.js';
import { ppolicyRefusal } from '../src/adapters/directory/openLdap.js';
import { grantsControlAccess, guidBytes, RESET_PASSWORD_RIGHT } from '../src/adapters/directory/adSecurity.js';
import { PasswordPolicyControl, PolicyHintsControl, PPOLICY_ERRORS, passwordModifyRequest } from '../src/adapters/directory/ldapControls.js';
import { ConfigError, loadConfig } from '../src/config/load.js';

/** The LDAP adapter's pure parts: escaping, how each directory refusal is named, and the AD rights check. */
describe('escaping values for LDAP', () => {
  test('filter values are escaped as RFC 4515 says: * ( ) \\ and NUL, and bytes beyond ASCII', () => {
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue('jdoe)(uid=*')).toBe('jdoe\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b')).toBe('a\\5cb');
    expect(escapeFilterValue('a\u0000b')).toBe('a\\00b');
    expect(escapeFilterValue('陳')).toBe('\\e9\\99\\b3');
    expect(escapeFilterValue('plain.uid-1')).toBe('plain.uid-1');
  });

  test('an escaped value parses back as one equality match on the same value, whatever it holds', () => {
    for (const value of ['*', ')(', '*)(|(uid=*', 'x\u0000y', '\\2a', 'a)(objectClass=*)']) {
      const parsed = FilterParser.parseString(equals('uid', value)) as unknown as { attribute: string; value: Buffer | string };
      expect({ value, type: parsed.constructor.name, attribute: parsed.attribute, decoded: Buffer.from(parsed.value as string).toString('utf8') }).toEqual({ value, type: 'EqualityFilter', attribute: 'uid', decoded: value });
    }
  });

  test('DN values are escaped as RFC 4514 says: specials anywhere, # and space first, space last, NUL', () => {
    expect(escapeDnValue('Doe, Jane')).toBe('Doe\\, Jane');
    expect(escapeDnValue('a+b"c;d<e>f\\g=h')).toBe('a\\+b\\"c\\;d\\<e\\>f\\\\g\\=h');
    expect(escapeDnValue('#tag')).toBe('\\#tag');
    expect(escapeDnValue(' lead and trail ')).toBe('\\ lead and trail\\ ');
    expect(escapeDnValue('nul\u0000')).toBe('nul\\00');
    expect(escapeDnValue('jdoe')).toBe('jdoe');
  });
});

describe("naming the directory's refusal", () => {
  const account = { uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu' };

  test("AD: Samba's words name the rule; Windows' bare 0000052D is named from the published rules", () => {
    expect(adRefusal('0000052D: Constraint violation - check_password_restrictions: the password is too short. It should be equal or longer than 14 characters!', 'x', {}, account)).toBe('too-short');
    expect(adRefusal('0000052D: Constraint violation - check_password_restrictions: the password does not meet the complexity criteria!', 'x', {}, account)).toBe('complexity');
    expect(adRefusal('0000052D: Constraint violation - check_password_restrictions: the password was already used (in history)!', 'x', {}, account)).toBe('history');
    const windows = '0000052D: AtrErr: DSID-03191083, #1:\n\t0: 0000052D: DSID-03191083, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 9005a (unicodePwd)';
    expect(adRefusal(windows, 'Short-1a', { minLength: 14, complexity: true }, account)).toBe('too-short');
    expect(adRefusal(windows, 'long enough but all small', { minLength: 14, complexity: true }, account)).toBe('complexity');
    expect(adRefusal(windows, 'Long-Enough-And-Complex-9', { minLength: 14, complexity: true, history: 24 }, account)).toBe('history');
    expect(adRefusal(windows, 'Long-Enough-And-Complex-9', { minLength: 14, complexity: true }, account)).toBe('other');
  });

  test('AD complexity: three kinds of character, and not the account name or part of the display name', () => {
    expect(meetsAdComplexity('Harbour-Lantern-42', account)).toBe(true);
    expect(meetsAdComplexity('harbour lantern quiet', account)).toBe(false);
    expect(meetsAdComplexity('Jdoe-Harbour-42', account)).toBe(false);
    expect(meetsAdComplexity('Harbour-Jane-42', account)).toBe(false);
    expect(meetsAdComplexity('港口燈籠-harbour-42', account)).toBe(true);
  });

  test("OpenLDAP: ppolicy's response control names the rule; without it, the server's words do", () => {
    expect(ppolicyRefusal(PPOLICY_ERRORS.passwordTooShort, 'Password fails quality checking policy')).toBe('too-short');
    expect(ppolicyRefusal(PPOLICY_ERRORS.insufficientPasswordQuality, 'Password fails quality checking policy')).toBe('quality');
    expect(ppolicyRefusal(PPOLICY_ERRORS.passwordInHistory, 'Password is in history of old passwords')).toBe('history');
    expect(ppolicyRefusal(PPOLICY_ERRORS.passwordTooYoung, 'Password is too young to change')).toBe('too-young');
    expect(ppolicyRefusal(undefined, 'Password is not being changed from existing value')).toBe('history');
    expect(ppolicyRefusal(undefined, 'Password is too short for policy')).toBe('too-short');
    expect(ppolicyRefusal(undefined, 'something else')).toBe('other');
  });
});

describe('the controls and operations the adapter encodes itself', () => {
  test("AD's policy-hints control carries flags = 1; the Password Modify request names the entry and the new password only", () => {
    const writer = new BerWriter();
    new PolicyHintsControl('1.2.840.113556.1.4.2239').write(writer);
    expect(writer.buffer.toString('hex')).toBe(`30${(2 + 23 + 3 + 7).toString(16)}0417${Buffer.from('1.2.840.113556.1.4.2239').toString('hex')}010100040530030201` + '01');
    const request = passwordModifyRequest('uid=jdoe,ou=people,dc=example,dc=edu', 'New-Lantern-77');
    const reader = new BerReader(request);
    reader.readSequence(0x30);
    expect([reader.readString(0x80), reader.readString(0x82), reader.remain]).toEqual(['uid=jdoe,ou=people,dc=example,dc=edu', 'New-Lantern-77', 0]);
  });

  test("ppolicy's response control is read for its error, past a warning", () => {
    const response = (bytes: number[]) => {
      const control = new PasswordPolicyControl();
      (control as unknown as { parseControl(r: BerReader): void }).parseControl(new BerReader(Buffer.from(bytes)));
      return control.error;
    };
    expect(response([0x30, 0x03, 0x81, 0x01, 0x06])).toBe(PPOLICY_ERRORS.passwordTooShort);
    expect(response([0x30, 0x07, 0xa0, 0x02, 0x81, 0x00, 0x81, 0x01, 0x08])).toBe(PPOLICY_ERRORS.passwordInHistory);
    expect(response([0x30, 0x00])).toBeUndefined();
  });
});

describe("AD's Reset Password right, read from a security descriptor", () => {
  const sid = (rid: number) => Buffer.concat([Buffer.from('010500000000000515000000a832bfbfde943dacabcbb77c', 'hex'), Buffer.from(Uint32Array.of(rid).buffer)]);
  const service = sid(1103);
  const other = sid(1200);
  /** A self-relative descriptor whose DACL holds these ACEs, in order. */
  const descriptor = (aces: Buffer[]) => {
    const acl = Buffer.concat([Buffer.from([4, 0]), u16(8 + aces.reduce((n, a) => n + a.length, 0)), u16(aces.length), u16(0), ...aces]);
    return Buffer.concat([Buffer.from([1, 0]), u16(0x8004), u32(0), u32(0), u32(0), u32(20), acl]);
  };
  const objectAce = (type: number, flags: number, mask: number, who: Buffer, objectType?: string) => {
    const body = Buffer.concat([u32(mask), u32(objectType ? 1 : 0), ...(objectType ? [guidBytes(objectType)] : []), who]);
    return Buffer.concat([Buffer.from([type, flags]), u16(4 + body.length), body]);
  };
  const ace = (type: number, mask: number, who: Buffer) => Buffer.concat([Buffer.from([type, 0]), u16(8 + who.length), u32(mask), who]);

  test('granted by an object ACE for the right, or by full control; not by another right or to another account', () => {
    expect(grantsControlAccess(descriptor([objectAce(5, 0x10, 0x100, service, RESET_PASSWORD_RIGHT)]), [service], RESET_PASSWORD_RIGHT)).toBe(true);
    expect(grantsControlAccess(descriptor([ace(0, 0xf01ff, service)]), [service], RESET_PASSWORD_RIGHT)).toBe(true);
    expect(grantsControlAccess(descriptor([objectAce(5, 0, 0x100, service, '00299570-246d-11d0-a768-00aa006e0530')]), [service], RESET_PASSWORD_RIGHT)).toBe(false);
    expect(grantsControlAccess(descriptor([objectAce(5, 0, 0x100, other, RESET_PASSWORD_RIGHT)]), [service], RESET_PASSWORD_RIGHT)).toBe(false);
  });

  test('a deny before the grant wins; an inherit-only ACE does not apply to the object itself; garbage is "cannot tell"', () => {
    expect(grantsControlAccess(descriptor([objectAce(6, 0, 0x100, service, RESET_PASSWORD_RIGHT), objectAce(5, 0, 0x100, service, RESET_PASSWORD_RIGHT)]), [service], RESET_PASSWORD_RIGHT)).toBe(false);
    expect(grantsControlAccess(descriptor([objectAce(5, 0x08, 0x100, service, RESET_PASSWORD_RIGHT)]), [service], RESET_PASSWORD_RIGHT)).toBe(false);
    expect(grantsControlAccess(Buffer.from([1, 2, 3]), [service], RESET_PASSWORD_RIGHT)).toBeUndefined();
  });
});

describe('the LDAP settings', () => {
  const ldap = { DIRECTORY: 'ldap', LDAP_KIND: 'ad', LDAP_URL: 'ldaps://dc1.example.edu', LDAP_BIND_DN: 'CN=svc,DC=example,DC=edu', LDAP_BIND_PASSWORD: 'Bind-S3cret-Value', LDAP_BASE_DN: 'OU=People,DC=example,DC=edu' };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env, null);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };

  test('the embedded directory is the default and needs nothing else; LDAP_KIND sets the attribute defaults', () => {
    expect(loadConfig({}, null)).toMatchObject({ DIRECTORY: 'embedded', LDAP_TIMEOUT_MS: 5000, LDAP_UNLOCK_ON_RESET: true });
    expect(loadConfig(ldap, null)).toMatchObject({ LDAP_UID_ATTRIBUTE: 'sAMAccountName', LDAP_UPN_ATTRIBUTE: 'userPrincipalName', LDAP_NAME_ATTRIBUTE: 'displayName', LDAP_MAIL_ATTRIBUTE: 'mail', LDAP_USER_FILTER: '(!(userAccountControl:1.2.840.113556.1.4.803:=2))' });
    expect(loadConfig({ ...ldap, LDAP_KIND: 'openldap', LDAP_UNLOCK_ON_RESET: 'false' }, null)).toMatchObject({ LDAP_UID_ATTRIBUTE: 'uid', LDAP_UPN_ATTRIBUTE: 'mail', LDAP_NAME_ATTRIBUTE: 'cn', LDAP_USER_FILTER: undefined, LDAP_UNLOCK_ON_RESET: false });
  });

  test('DIRECTORY=ldap without its settings, or with bad ones, lists every problem at once and never echoes the bind password', () => {
    expect(problems({ DIRECTORY: 'ldap' })).toEqual(['LDAP_KIND is required when DIRECTORY=ldap', 'LDAP_URL is required when DIRECTORY=ldap', 'LDAP_BIND_DN is required when DIRECTORY=ldap', 'LDAP_BIND_PASSWORD is required when DIRECTORY=ldap', 'LDAP_BASE_DN is required when DIRECTORY=ldap']);
    const bad = problems({ ...ldap, LDAP_URL: 'http://dc1', LDAP_USER_FILTER: 'objectClass=person', LDAP_UID_ATTRIBUTE: 'uid)(x', LDAP_CA_FILE: '/nonexistent/ca.pem', LDAP_UNLOCK_ON_RESET: 'maybe' });
    expect(bad.map((p) => p.split(' ')[0])).toEqual(['LDAP_URL', 'LDAP_USER_FILTER', 'LDAP_UID_ATTRIBUTE', 'LDAP_UNLOCK_ON_RESET', 'LDAP_CA_FILE']);
    expect(bad.join('\n')).not.toContain('Bind-S3cret-Value');
  });
});

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
