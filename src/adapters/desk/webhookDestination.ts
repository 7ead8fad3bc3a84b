import { createHmac } from 'node:crypto';
import type { HandoffCaseRecord } from '../../ports/deskStore.js';
import type { CaseDestination } from '../../ports/serviceDesk.js';
import { caseJson } from '../../domain/caseContent.js';

/** Headers of a case POST: when it was signed (Unix seconds), and the signature of `<timestamp>.<body>`. */
export const TIMESTAMP_HEADER = 'x-pin-reset-timestamp';
export const SIGNATURE_HEADER = 'x-pin-reset-signature';

/** The signature a receiver recomputes: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under the shared secret. */
export function signCase(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Posts each case as JSON to SERVICE_DESK_WEBHOOK_URL, signed with an HMAC under
 * SERVICE_DESK_WEBHOOK_SECRET (the timestamp is signed too, so a receiver can refuse replays),
 * with the case reference as the Idempotency-Key so a retried case makes one ticket. Any answer
 * but 2xx, or none within the timeout, is a failure and the case is tried again later.
 */
export class WebhookDestination implements CaseDestination {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly now: () => number,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(handoffCase: HandoffCaseRecord): Promise<void> {
    const body = JSON.stringify(caseJson(handoffCase));
    const timestamp = String(Math.floor(this.now() / 1000));
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': handoffCase.reference,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signCase(this.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'error',
    });
    // The body is not read into any message: it may echo the case back.
    await res.body?.cancel().catch(() => undefined);
    if (!res.ok) throw new Error(`the service desk webhook answered ${res.status}`);
  }
}
