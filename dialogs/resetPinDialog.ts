import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { normalizeUid } from '../src/domain/contactFormats.js';
import type { MessageRef } from '../src/messages/catalog.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { LocalizedTextPrompt, ask, askUid, uidPrompt } from './prompts.js';
import { recognizeMethod, recognizeYesNo } from './commands.js';
import { CODE_ENTRY_DIALOG, CodeEntryDialog, type CodeEntryOptions, type CodeEntryResult } from './codeEntryDialog.js';
import { say, turnInfo, valuesOf, type DialogDeps, type Say } from './deps.js';
import { inTeams, setPinCard } from './cards.js';
import { sayPaused } from './limits.js';

export const RESET_DIALOG = 'resetPin';
const UID_PROMPT = 'resetUidPrompt';
const METHOD_PROMPT = 'resetMethodPrompt';
const CONFIRM_UID_PROMPT = 'resetConfirmUidPrompt';
const RESET_STEPS = 'resetSteps';

/** Asked again: for the method with the UID settled (SMS unavailable, or "change" at the code), or from the start; `notice` says why. */
interface ResetOptions {
  uid?: string;
  notice?: MessageRef;
}

interface ResetValues {
  signedInUid: string;
  uid: string;
}

/**
 * Reset PIN (DESIGN.md): the UID, then the method. Email sends a link; SMS sends a code whose
 * correct entry earns a one-time link. The new PIN is only ever typed into the PIN page. Replies
 * are the same for unknown, unregistered and registered UIDs.
 */
export class ResetPinDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(RESET_DIALOG, deps);
    this.addDialog(uidPrompt(UID_PROMPT, deps));
    this.addDialog(
      new LocalizedTextPrompt(METHOD_PROMPT, deps, async (pc) => recognizeMethod(pc.recognized.value) !== undefined, (typed) => recognizeMethod(typed) !== undefined),
    );
    this.addDialog(
      new LocalizedTextPrompt(CONFIRM_UID_PROMPT, deps, async (pc) => recognizeYesNo(pc.recognized.value) !== undefined, (typed) => recognizeYesNo(typed) !== undefined),
    );
    this.addDialog(
      new CodeEntryDialog(deps, async (o, info) => {
        const sent = await deps.pinReset.resendSms(o.challengeId, o.uid, info);
        return sent.kind === 'sent' ? { ...sent, target: '' } : sent;
      }),
    );
    this.addDialog(
      new WaterfallDialog(RESET_STEPS, [(s) => this.confirmSignedIn(s), (s) => this.askUid(s), (s) => this.askMethod(s), (s) => this.send(s), (s) => this.giveLink(s)]),
    );
    this.initialDialogId = RESET_STEPS;
  }

  /** Signed in to Teams: offer that account's UID, to be confirmed; the link or code still goes to its registered contacts. */
  private async confirmSignedIn(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as ResetOptions | undefined;
    // Asked again for the method: the UID is already settled.
    if (options?.uid) return step.next();
    const uid = await this.deps.signedIn?.uidOf(step.context);
    if (!uid) return step.next();
    valuesOf<ResetValues>(step).signedInUid = uid;
    const question: MessageRef = { key: 'teams.confirmUid', params: { uid } };
    return step.prompt(
      CONFIRM_UID_PROMPT,
      ask({ prompt: withNotice(options?.notice, question), reminder: question, retry: { key: 'teams.badConfirm', params: { uid } }, actions: [{ key: 'answer.yes' }, { key: 'answer.no' }] }),
    );
  }

  private askUid(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as ResetOptions | undefined;
    if (options?.uid) return step.next(options.uid);
    const { signedInUid } = valuesOf<ResetValues>(step);
    if (signedInUid) return recognizeYesNo(step.result as string | undefined) === true ? step.next(signedInUid) : step.prompt(UID_PROMPT, askUid());
    return step.prompt(UID_PROMPT, askUid(options?.notice));
  }

  private askMethod(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const uid = normalizeUid(step.result as string)!;
    valuesOf<ResetValues>(step).uid = uid;
    const options = step.options as ResetOptions | undefined;
    const question: MessageRef = { key: 'reset.askMethod' };
    // The question already lists the methods (1, 2); buttons are added where the channel shows them.
    return step.prompt(
      METHOD_PROMPT,
      ask({
        prompt: options?.uid ? withNotice(options.notice, question) : question,
        reminder: question,
        retry: { key: 'reset.badMethod' },
        actions: [{ key: 'reset.method.email' }, { key: 'reset.method.sms' }],
      }),
    );
  }

  private async send(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const uid = valuesOf<ResetValues>(step).uid!;
    const method = recognizeMethod(step.result as string);
    const info = turnInfo(step.context);
    if (method === 'email') return this.sendEmailLink(step, uid);
    if (this.deps.smsAvailable && !(await this.deps.smsAvailable())) {
      await say(this.deps, step.context, 'reset.smsUnavailable');
      return step.replaceDialog(RESET_STEPS, { uid } satisfies ResetOptions);
    }
    const sent = await this.deps.pinReset.requestSmsCode(uid, info);
    if (sent.kind === 'paused') {
      await sayPaused(this.deps, step.context, sent.until);
      return step.endDialog();
    }
    return step.beginDialog(CODE_ENTRY_DIALOG, {
      uid,
      purpose: 'reset-sms',
      challengeId: sent.challengeId,
      prompt: { key: 'reset.smsSent', params: { uid } },
      offerEmail: true,
    } satisfies CodeEntryOptions);
  }

  private async sendEmailLink(step: WaterfallStepContext, uid: string): Promise<DialogTurnResult> {
    const sent = await this.deps.pinReset.requestEmailLink(uid, turnInfo(step.context));
    if (sent.kind === 'paused') await sayPaused(this.deps, step.context, sent.until);
    else await say(this.deps, step.context, 'reset.emailSent', { uid, minutes: Math.round(this.deps.policy.linkTtlMs / 60_000) });
    return step.endDialog();
  }

  private async giveLink(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CodeEntryResult | undefined;
    const uid = valuesOf<ResetValues>(step).uid!;
    if (result && !result.verified && result.useEmail) return this.sendEmailLink(step, uid);
    if (result && !result.verified && result.change) {
      // "wrong UID" goes back to the UID; anything else ("change", "back") to the way to verify.
      const notice: MessageRef = { key: 'code.goingBack' };
      return step.replaceDialog(RESET_STEPS, (result.change === 'uid' ? { notice } : { uid, notice }) satisfies ResetOptions);
    }
    if (!result?.verified) return step.endDialog();
    // Proved by the SMS code: from now on the account's language applies, or this conversation's is remembered for it.
    await this.deps.language.accountKnown(step.context, uid);
    const url = await this.deps.pinReset.issueLinkAfterSms(result.challengeId, uid, turnInfo(step.context));
    if (!url) {
      await say(this.deps, step.context, 'reset.linkFailed');
      return step.endDialog();
    }
    const minutes = Math.round(this.deps.policy.smsLinkTtlMs / 60_000);
    if (inTeams(step.context)) await step.context.sendActivity({ attachments: [setPinCard(this.deps, step.context, url, minutes)] });
    else await say(this.deps, step.context, 'reset.linkReady', { url, minutes });
    return step.endDialog();
  }
}

const withNotice = (notice: MessageRef | undefined, question: MessageRef): Say => (notice ? [notice, question] : question);
