import type { HandoffCaseRecord } from './deskStore.js';

/** Where hand-off cases go: the service desk's mailbox (ticket systems take in email) or its webhook. */
export interface CaseDestination {
  readonly name: 'email' | 'webhook';
  /** Resolves once the destination accepted the case; rejects (with a reason that holds no case data) otherwise. */
  send(handoffCase: HandoffCaseRecord): Promise<void>;
}
