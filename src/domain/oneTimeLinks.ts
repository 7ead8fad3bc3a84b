import type { AuditEvent } from '../ports/audit.js';
import type { Clock } from '../ports/clock.js';
import type { Decision, LinkRecord, Table } from '../ports/store.js';
import type { Audit, AuditContext } from './audit.js';
import { constantTimeEqual, randomToken, sha256Hex, type ServerKey } from './secrets.js';

const TOKEN = /^[A-Za-z0-9_-]{32}$/; // randomToken(): 24 bytes as base64url

/** Whether `token` has the shape of a link token (says nothing about whether it is valid). */
export const isLinkToken = (token: string) => TOKEN.test(token);

/** A link that could still be used when it was read, and the hash it is stored under. */
export interface OpenLink {
  link: LinkRecord;
  tokenHash: string;
}

export interface OneTimeLinksDeps {
  links: Table<LinkRecord>;
  audit: Audit;
  clock: Clock;
  key: ServerKey;
}

export interface OneTimeLinksOptions {
  /** The only purpose these links serve; a link made for another page opens nothing here. */
  purpose: LinkRecord['purpose'];
  /** Keys this page's CSRF values, so one page's value is worth nothing on another. */
  csrfScope: string;
  /** What a `link.invalid` event says besides its reason; `link` once there is one. */
  invalidDetail(reason: string, link?: LinkRecord): NonNullable<AuditEvent['detail']>;
  /** Whether the `link.invalid` event for a link of another purpose names that link's account. */
  namesAccountOfOtherPurpose: boolean;
}

/**
 * The one-time links a page opens: only the SHA-256 of a link's token is stored, GET and HEAD only
 * read a link, and each change to one is a single atomic store step, so two requests at once (on
 * any instances) never both use it. Every refusal is audited as `link.invalid` with its reason.
 */
export class OneTimeLinks {
  constructor(
    private readonly deps: OneTimeLinksDeps,
    private readonly options: OneTimeLinksOptions,
  ) {}

  /** Stores a new open link and returns its token, which exists nowhere else once the caller is done. */
  async create(uid: string, via: LinkRecord['via'], ttlMs: number, delivery: LinkRecord['delivery']): Promise<string> {
    const now = this.deps.clock.now();
    const token = randomToken();
    await this.deps.links.insert({ tokenHash: sha256Hex(token), uid, purpose: this.options.purpose, via, createdAt: now, expiresAt: now + ttlMs, status: 'open', delivery });
    return token;
  }

  /** Records whether the mail carrying `token` went out. */
  async markDelivery(token: string, sent: boolean): Promise<void> {
    await this.deps.links.update(sha256Hex(token), (link) => {
      if (!link) return { answer: undefined };
      // Nobody received a link that failed to send; it must not stay usable.
      const status = !sent && link.status === 'open' ? 'revoked' : link.status;
      return { next: { ...link, delivery: sent ? 'sent' : 'failed', status }, answer: undefined };
    });
  }

  /** The link for `token` if it can still be used; otherwise audits why not. Changes nothing. */
  async findOpen(token: string, ctx: AuditContext): Promise<OpenLink | undefined> {
    const { links, audit, clock } = this.deps;
    if (!TOKEN.test(token)) {
      await audit.record('link.invalid', ctx, 'fail', this.options.invalidDetail('malformed'));
      return undefined;
    }
    const tokenHash = sha256Hex(token);
    const link = await links.get(tokenHash);
    if (!link) {
      await audit.record('link.invalid', ctx, 'fail', this.options.invalidDetail('unknown'));
      return undefined;
    }
    // A link opens the page of its own purpose only.
    const otherPurpose = link.purpose !== this.options.purpose;
    const reason = otherPurpose ? 'other purpose' : link.status !== 'open' ? link.status : clock.now() >= link.expiresAt ? 'expired' : undefined;
    if (reason) {
      const named = !otherPurpose || this.options.namesAccountOfOtherPurpose;
      await audit.record('link.invalid', named ? { ...ctx, uid: link.uid } : ctx, 'fail', this.options.invalidDetail(reason, link));
      return undefined;
    }
    return { link, tokenHash };
  }

  /** The CSRF value the page's form must send back with this link. */
  csrfFor({ tokenHash }: OpenLink): string {
    return this.deps.key.mac(this.options.csrfScope, tokenHash);
  }

  /** Whether the form sent this link's CSRF value (compared in constant time); audits a mismatch. */
  async csrfMatches(found: OpenLink, csrf: unknown, ctx: AuditContext): Promise<boolean> {
    if (constantTimeEqual(String(csrf ?? ''), this.csrfFor(found))) return true;
    await this.refuse('csrf', found.link, ctx);
    return false;
  }

  /**
   * Uses the link up in one atomic step (open to used), so of two POSTs at once only one goes on.
   * False, audited, when it was used, revoked or expired meanwhile.
   */
  async burn({ link, tokenHash }: OpenLink, ctx: AuditContext): Promise<boolean> {
    const now = this.deps.clock.now();
    const refused = await this.deps.links.update(tokenHash, (current): Decision<LinkRecord, string | undefined> => {
      if (!current) return { answer: 'unknown' };
      if (current.status !== 'open') return { answer: current.status };
      if (now >= current.expiresAt) return { answer: 'expired' };
      return { next: { ...current, status: 'used' }, answer: undefined };
    });
    if (!refused) return true;
    await this.refuse(refused, link, ctx);
    return false;
  }

  /** Opens again a link this request burnt, when what it was burnt for did not happen. */
  async giveBack({ tokenHash }: OpenLink): Promise<void> {
    await this.deps.links.update(tokenHash, (current) => (current?.status === 'used' ? { next: { ...current, status: 'open' }, answer: undefined } : { answer: undefined }));
  }

  /** Audits why `link` is refused to this request. */
  async refuse(reason: string, link: LinkRecord, ctx: AuditContext): Promise<void> {
    await this.deps.audit.record('link.invalid', { ...ctx, uid: link.uid }, 'fail', this.options.invalidDetail(reason, link));
  }
}
