import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { normalizeUid } from '../src/domain/contactFormats.js';
import type { IdentityProof } from '../src/domain/contactRegistration.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import type { MessageRef } from '../src/messages/catalog.js';
import { askUid, uidPrompt } from './prompts.js';
import { CODE_ENTRY_DIALOG, CodeEntryDialog, type CodeEntryOptions, type CodeEntryResult } from './codeEntryDialog.js';
import { say, turnInfo, valuesOf, type DialogDeps } from './deps.js';
import { sayPaused } from './limits.js';

export const IDENTITY_DIALOG = 'verifyIdentity';
const UID_PROMPT = 'uidPrompt';
const IDENTITY_STEPS = 'identitySteps';

interface IdentityValues {
  uid: string;
}

/** Asked for the UID again ("change" at the code prompt): said before the question. */
interface IdentityOptions {
  notice?: MessageRef;
}

export interface VerifiedIdentity {
  uid: string;
  identity: IdentityProof;
}

/**
 * Proves who the user is outside Teams: the portal UID, then a code sent to the institutional
 * email on file. The words are the same whether or not the UID exists.
 */
export class IdentityDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(IDENTITY_DIALOG, deps);
    this.addDialog(new CodeEntryDialog(deps));
    this.addDialog(uidPrompt(UID_PROMPT, deps));
    this.addDialog(new WaterfallDialog(IDENTITY_STEPS, [(s) => this.askUid(s), (s) => this.sendIdentityCode(s), (s) => this.finish(s)]));
    this.initialDialogId = IDENTITY_STEPS;
  }

  private askUid(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.prompt(UID_PROMPT, askUid((step.options as IdentityOptions | undefined)?.notice));
  }

  private async sendIdentityCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const uid = normalizeUid(step.result as string)!;
    valuesOf<IdentityValues>(step).uid = uid;
    const sent = await this.deps.registration.startIdentity(uid, turnInfo(step.context));
    if (sent.kind === 'paused') {
      await sayPaused(this.deps, step.context, sent.until);
      return step.endDialog();
    }
    if (sent.kind !== 'sent') return step.endDialog();
    return step.beginDialog(CODE_ENTRY_DIALOG, {
      uid,
      purpose: 'identity',
      challengeId: sent.challengeId,
      prompt: { key: 'identity.codeSent', params: { uid } },
    } satisfies CodeEntryOptions);
  }

  private async finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CodeEntryResult | undefined;
    if (result && !result.verified && result.change) return step.replaceDialog(IDENTITY_STEPS, { notice: { key: 'code.goingBack' } } satisfies IdentityOptions);
    const { uid } = valuesOf<IdentityValues>(step);
    if (!result?.verified || !uid) return step.endDialog();
    // Proved: from now on the account's language applies, or this conversation's is remembered for it.
    await this.deps.language.accountKnown(step.context, uid);
    return step.endDialog({ uid, identity: { kind: 'code', challengeId: result.challengeId } } satisfies VerifiedIdentity);
  }
}

/**
 * Starts the identity step of a flow: signed in to Teams, the account is already known (no UID, no
 * code to the institutional email); anywhere else, the IdentityDialog.
 */
export async function proveIdentity(step: WaterfallStepContext, deps: DialogDeps): Promise<DialogTurnResult> {
  const uid = await deps.signedIn?.uidOf(step.context);
  if (!uid) return step.beginDialog(IDENTITY_DIALOG);
  await deps.language.accountKnown(step.context, uid);
  await say(deps, step.context, 'teams.signedInAs', { uid });
  return step.next({ uid, identity: { kind: 'signed-in' } } satisfies VerifiedIdentity);
}
