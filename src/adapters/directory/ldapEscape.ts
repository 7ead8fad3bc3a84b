/**
 * Escaping of values put into LDAP filters (RFC 4515) and DNs (RFC 4514), so that no typed value
 * can change a filter's or a DN's structure: `*` stays a star, `)(` stays two parentheses, a NUL
 * stays a NUL. Every filter and DN this adapter builds from a value goes through these.
 */

/** RFC 4515 3: `*`, `(`, `)`, `\` and NUL as `\XX`; bytes beyond ASCII as UTF-8 `\XX` too, so the filter stays plain ASCII. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += byte === 0x2a || byte === 0x28 || byte === 0x29 || byte === 0x5c || byte === 0x00 || byte >= 0x80 ? `\\${byte.toString(16).padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}

/** `(attribute=value)` with the value escaped. The attribute names come from the configuration, never from a user. */
export const equals = (attribute: string, value: string) => `(${attribute}=${escapeFilterValue(value)})`;

/**
 * RFC 4514 2.4: `"`, `+`, `,`, `;`, `<`, `>` and `\` anywhere, `#` or a space at the start, a space
 * at the end, with a backslash; NUL as `\00`.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  const chars = [...value];
  chars.forEach((c, i) => {
    if (c === '\0') out += '\\00';
    else if ('"+,;<>\\='.includes(c)) out += `\\${c}`;
    else if ((i === 0 && (c === '#' || c === ' ')) || (i === chars.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  });
  return out;
}
