/**
 * Reading an AD security descriptor (the binary nTSecurityDescriptor, self-relative form, as
 * [MS-DTYP] 2.4.6 lays it out) just far enough to answer one question for `directory check`:
 * does this DACL let these SIDs use an extended right (Reset Password) on the object? Nothing is
 * changed; AD has no effective-rights attribute for extended rights, only allowedAttributesEffective.
 */

/** User-Force-Change-Password: the "Reset Password" extended right. */
export const RESET_PASSWORD_RIGHT = '00299570-246d-11d0-a768-00aa006e0529';

const ACCESS_ALLOWED = 0x00;
const ACCESS_DENIED = 0x01;
const ACCESS_ALLOWED_OBJECT = 0x05;
const ACCESS_DENIED_OBJECT = 0x06;
const INHERIT_ONLY = 0x08;
const CONTROL_ACCESS = 0x100;
const GENERIC_ALL = 0x10000000;
const OBJECT_TYPE_PRESENT = 0x1;
const INHERITED_OBJECT_TYPE_PRESENT = 0x2;

/** A GUID as AD stores it: the first three groups little-endian. */
export function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

const sidLength = (buf: Buffer, at: number) => 8 + 4 * buf[at + 1]!;

/**
 * True if the first ACE that decides (in the DACL's order, inherit-only ACEs skipped) grants the
 * extended right `right` to one of `sids`; false if one denies it first or none grants it;
 * undefined when the descriptor cannot be read.
 */
export function grantsControlAccess(descriptor: Buffer, sids: Buffer[], right: string): boolean | undefined {
  try {
    const daclAt = descriptor.readUInt32LE(16);
    if (daclAt === 0) return true; // no DACL at all: everyone has every right
    const count = descriptor.readUInt16LE(daclAt + 4);
    const wanted = guidBytes(right);
    let at = daclAt + 8;
    for (let i = 0; i < count; i++) {
      const type = descriptor[at]!;
      const flags = descriptor[at + 1]!;
      const size = descriptor.readUInt16LE(at + 2);
      const mask = descriptor.readUInt32LE(at + 4);
      let sidAt = at + 8;
      let objectType: Buffer | undefined;
      if (type === ACCESS_ALLOWED_OBJECT || type === ACCESS_DENIED_OBJECT) {
        const objectFlags = descriptor.readUInt32LE(at + 8);
        sidAt = at + 12;
        if (objectFlags & OBJECT_TYPE_PRESENT) {
          objectType = descriptor.subarray(sidAt, sidAt + 16);
          sidAt += 16;
        }
        if (objectFlags & INHERITED_OBJECT_TYPE_PRESENT) sidAt += 16;
      }
      const known = [ACCESS_ALLOWED, ACCESS_DENIED, ACCESS_ALLOWED_OBJECT, ACCESS_DENIED_OBJECT].includes(type);
      if (known && !(flags & INHERIT_ONLY)) {
        const sid = descriptor.subarray(sidAt, sidAt + sidLength(descriptor, sidAt));
        const applies = sids.some((s) => s.equals(sid)) && (mask & (CONTROL_ACCESS | GENERIC_ALL)) !== 0 && (!objectType || objectType.equals(wanted));
        if (applies) return type === ACCESS_ALLOWED || type === ACCESS_ALLOWED_OBJECT;
      }
      at += size;
    }
    return false;
  } catch {
    return undefined;
  }
}
