import { BerWriter, Control, type BerReader } from 'ldapts';

/** The Password Modify extended operation (RFC 3062). */
export const PASSWORD_MODIFY_OID = '1.3.6.1.4.1.4203.1.11.1';
/** "Who am I?" (RFC 4532); OpenLDAP has it, AD does not. */
export const WHO_AM_I_OID = '1.3.6.1.4.1.4203.1.11.3';
/** AD's LDAP_SERVER_POLICY_HINTS_OID (Windows Server 2012 R2 and later) and its deprecated predecessor. */
export const POLICY_HINTS_OIDS = ['1.2.840.113556.1.4.2239', '1.2.840.113556.1.4.2066'] as const;
/** AD's LDAP_SERVER_SD_FLAGS_OID: which parts of nTSecurityDescriptor to read. */
export const SD_FLAGS_OID = '1.2.840.113556.1.4.801';

/** The PasswdModifyRequestValue: the entry by DN and the new password, no old one (an administrator's reset). */
export function passwordModifyRequest(dn: string, newPassword: string): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeString(dn, 0x80);
  writer.writeString(newPassword, 0x82);
  writer.endSequence();
  return writer.buffer;
}

/** ppolicy's PasswordPolicyResponseValue error codes (draft-behera-ldap-password-policy 6.2). */
export const PPOLICY_ERRORS = {
  passwordExpired: 0,
  accountLocked: 1,
  changeAfterReset: 2,
  passwordModNotAllowed: 3,
  mustSupplyOldPassword: 4,
  insufficientPasswordQuality: 5,
  passwordTooShort: 6,
  passwordTooYoung: 7,
  passwordInHistory: 8,
  passwordTooLong: 9,
} as const;

/**
 * The password policy request control (draft-behera-ldap-password-policy): sent with an operation,
 * it asks OpenLDAP's ppolicy to say why it refused. ldapts parses the response control into the
 * request control of the same type, so the reason is read from this object after the operation.
 */
export class PasswordPolicyControl extends Control {
  static readonly OID = '1.3.6.1.4.1.42.2.27.8.5.1';
  /** One of PPOLICY_ERRORS, when the server named one. */
  error: number | undefined;

  constructor() {
    super(PasswordPolicyControl.OID);
  }

  protected override parseControl(reader: BerReader): void {
    if (reader.readSequence(0x30) === null) return;
    while (reader.remain > 0) {
      const tag = reader.peek();
      if (tag === 0xa0) {
        // warning [0] CHOICE { timeBeforeExpiration [0], graceAuthNsRemaining [1] }: not needed for a reset.
        reader.readSequence(0xa0);
        const inner = reader.peek();
        if (inner === null) return;
        reader.readTag(inner);
      } else if (tag === 0x81) {
        this.error = reader.readTag(0x81) ?? undefined;
      } else {
        return;
      }
    }
  }
}

/** AD's policy-hints control: a reset by an administrator then obeys password history (and minimum age), like a user's change. */
export class PolicyHintsControl extends Control {
  constructor(oid: string) {
    super(oid);
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(1);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}

/** SD flags: 4 reads only the DACL, which an account that is not an administrator may read. */
export class SecurityDescriptorFlagsControl extends Control {
  constructor(private readonly flags: number) {
    super(SD_FLAGS_OID);
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(this.flags);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}
