import { MessageFactory } from 'botbuilder';
import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { normalizeUid } from '../src/domain/contactFormats.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { LocalizedTextPrompt, ask, askUid, uidPrompt } from './prompts.js';
import { recognizeMethod, recognizeYesNo } from './commands.js';
import { CODE_ENTRY_DIALOG, CodeEntryDialog, type CodeEntryOptions, type CodeEntryResult } from './codeEntryDialog.js';
import { say, text, turnInfo, valuesOf, type DialogDeps } from './deps.js';
import { sayPaused } from './limits.js';

export const UNLOCK_DIALOG = 'unlock';

interface UnlockValues {
  signedInUid: string;
  uid: string;
}
const UID_PROMPT = 'unlockUidPrompt';
const METHOD_PROMPT = 'unlockMethodPrompt';
const CONFIRM_UID_PROMPT = 'unlockConfirmUidPrompt';
const UNLOCK_STEPS = 'unlockSteps';

/**
 * Unlock (`unlock`, `解鎖`, "I'm locked out"): for a user who knows the PIN but is locked out. The
 * UID, then proof of a registered contact (a link by email, or a code by SMS), as for a reset and
 * with the same words for every UID; then the directory clears the lockout and the PIN stays the
 * same. Where accounts are never locked (the embedded directory) it says so and offers a reset.
 */
export class UnlockDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(UNLOCK_DIALOG, deps);
    this.addDialog(uidPrompt(UID_PROMPT, deps));
    this.addDialog(new LocalizedTextPrompt(METHOD_PROMPT, deps, async (pc) => recognizeMethod(pc.recognized.value) !== undefined));
    this.addDialog(new LocalizedTextPrompt(CONFIRM_UID_PROMPT, deps, async (pc) => recognizeYesNo(pc.recognized.value) !== undefined));
    this.addDialog(
      new CodeEntryDialog(deps, async (o, info) => {
        const sent = await deps.unlock!.resendSms(o.challengeId, o.uid, info);
        return sent.kind === 'sent' ? { ...sent, target: '' } : sent;
      }),
    );
    this.addDialog(
      new WaterfallDialog(UNLOCK_STEPS, [(s) => this.confirmSignedIn(s), (s) => this.askUid(s), (s) => this.askMethod(s), (s) => this.send(s), (s) => this.finish(s)]),
    );
    this.initialDialogId = UNLOCK_STEPS;
  }

  private async confirmSignedIn(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (!this.deps.unlock?.available) {
      // Nothing here is ever locked: say so, and offer what probably helps.
      const said = text(this.deps, step.context, 'unlock.noLockout');
      const reset = text(this.deps, step.context, 'unlock.offerReset');
      await step.context.sendActivity(step.context.activity.channelId === 'sms' ? MessageFactory.text(said) : MessageFactory.suggestedActions([reset], said));
      return step.endDialog();
    }
    // Asked again for the method (SMS unavailable): the UID is already settled.
    if ((step.options as { uid?: string } | undefined)?.uid) return step.next();
    const uid = await this.deps.signedIn?.uidOf(step.context);
    if (!uid) return step.next();
    valuesOf<UnlockValues>(step).signedInUid = uid;
    return step.prompt(
      CONFIRM_UID_PROMPT,
      ask({ prompt: { key: 'teams.confirmUid', params: { uid } }, retry: { key: 'teams.badConfirm', params: { uid } }, actions: [{ key: 'answer.yes' }, { key: 'answer.no' }] }),
    );
  }

  private askUid(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const known = (step.options as { uid?: string } | undefined)?.uid;
    if (known) return step.next(known);
    const { signedInUid } = valuesOf<UnlockValues>(step);
    if (signedInUid && recognizeYesNo(step.result as string | undefined) === true) return step.next(signedInUid);
    return step.prompt(UID_PROMPT, askUid());
  }

  private askMethod(step: WaterfallStepContext): Promise<DialogTurnResult> {
    valuesOf<UnlockValues>(step).uid = normalizeUid(step.result as string)!;
    return step.prompt(
      METHOD_PROMPT,
      ask({ prompt: { key: 'unlock.askMethod' }, retry: { key: 'reset.badMethod' }, actions: [{ key: 'reset.method.email' }, { key: 'reset.method.sms' }] }),
    );
  }

  private async send(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const uid = valuesOf<UnlockValues>(step).uid!;
    if (recognizeMethod(step.result as string) === 'email') return this.sendEmailLink(step, uid);
    if (this.deps.smsAvailable && !(await this.deps.smsAvailable())) {
      await say(this.deps, step.context, 'reset.smsUnavailable');
      return step.replaceDialog(UNLOCK_STEPS, { uid });
    }
    const sent = await this.deps.unlock!.requestSmsCode(uid, turnInfo(step.context));
    if (sent.kind === 'paused') {
      await sayPaused(this.deps, step.context, sent.until);
      return step.endDialog();
    }
    return step.beginDialog(CODE_ENTRY_DIALOG, {
      uid,
      purpose: 'unlock-sms',
      challengeId: sent.challengeId,
      prompt: { key: 'unlock.smsSent', params: { uid } },
      offerEmail: true,
    } satisfies CodeEntryOptions);
  }

  private async sendEmailLink(step: WaterfallStepContext, uid: string): Promise<DialogTurnResult> {
    const sent = await this.deps.unlock!.requestEmailLink(uid, turnInfo(step.context));
    if (sent.kind === 'paused') await sayPaused(this.deps, step.context, sent.until);
    else await say(this.deps, step.context, 'unlock.emailSent', { uid, minutes: Math.round(this.deps.policy.linkTtlMs / 60_000) });
    return step.endDialog();
  }

  private async finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CodeEntryResult | undefined;
    const uid = valuesOf<UnlockValues>(step).uid!;
    if (result && !result.verified && result.useEmail) return this.sendEmailLink(step, uid);
    // "change", "back" or "wrong UID" at the code: the UID again (the code no longer works).
    if (result && !result.verified && result.change) return step.replaceDialog(UNLOCK_STEPS);
    if (!result?.verified) return step.endDialog();
    await this.deps.language.accountKnown(step.context, uid);
    const unlocked = await this.deps.unlock!.unlockAfterSms(result.challengeId, uid, turnInfo(step.context));
    const key = unlocked.kind === 'unlocked' ? 'unlock.done' : unlocked.kind === 'not-locked' ? 'unlock.notLocked' : unlocked.kind === 'unavailable' ? 'directory.unavailable' : 'unlock.expired';
    await say(this.deps, step.context, key, { uid });
    return step.endDialog();
  }
}
