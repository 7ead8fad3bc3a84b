import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { normalizeUid } from '../src/domain/contactFormats.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { LocalizedTextPrompt, ask, askUid, uidPrompt } from './prompts.js';
import { recognizeMethod, recognizeYesNo } from './commands.js';
import { CODE_ENTRY_DIALOG, CodeEntryDialog, type CodeEntryOptions, type CodeEntryResult } from './codeEntryDialog.js';
import { say, turnInfo, type DialogDeps } from './deps.js';
import { inTeams, setPinCard } from './cards.js';

export const RESET_DIALOG = 'resetPin';
const UID_PROMPT = 'resetUidPrompt';
const METHOD_PROMPT = 'resetMethodPrompt';
const CONFIRM_UID_PROMPT = 'resetConfirmUidPrompt';
const RESET_STEPS = 'resetSteps';

/**
 * Reset PIN (DESIGN.md): the UID, then the method. Email sends a link; SMS sends a code whose
 * correct entry earns a one-time link. The new PIN is only ever typed into the PIN page. Replies
 * are the same for unknown, unregistered and registered UIDs.
 */
export class ResetPinDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(RESET_DIALOG, deps);
    this.addDialog(uidPrompt(UID_PROMPT, deps));
    this.addDialog(new LocalizedTextPrompt(METHOD_PROMPT, deps, async (pc) => recognizeMethod(pc.recognized.value) !== undefined));
    this.addDialog(new LocalizedTextPrompt(CONFIRM_UID_PROMPT, deps, async (pc) => recognizeYesNo(pc.recognized.value) !== undefined));
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
    // Asked again for the method (SMS unavailable): the UID is already settled.
    if ((step.options as { uid?: string } | undefined)?.uid) return step.next();
    const uid = await this.deps.signedIn?.uidOf(step.context);
    if (!uid) return step.next();
    (step.values as Record<string, unknown>)['signedInUid'] = uid;
    return step.prompt(
      CONFIRM_UID_PROMPT,
      ask({ prompt: { key: 'teams.confirmUid', params: { uid } }, retry: { key: 'teams.badConfirm', params: { uid } }, actions: [{ key: 'answer.yes' }, { key: 'answer.no' }] }),
    );
  }

  private askUid(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // Asked again for the method (SMS unavailable): the UID is already known.
    const known = (step.options as { uid?: string } | undefined)?.uid;
    if (known) return step.next(known);
    const signedInUid = (step.values as Record<string, unknown>)['signedInUid'] as string | undefined;
    if (signedInUid && recognizeYesNo(step.result as string | undefined) === true) return step.next(signedInUid);
    return step.prompt(UID_PROMPT, askUid());
  }

  private askMethod(step: WaterfallStepContext): Promise<DialogTurnResult> {
    (step.values as Record<string, unknown>)['uid'] = normalizeUid(step.result as string);
    // The question already lists the methods (1, 2); buttons are added where the channel shows them.
    return step.prompt(
      METHOD_PROMPT,
      ask({ prompt: { key: 'reset.askMethod' }, retry: { key: 'reset.badMethod' }, actions: [{ key: 'reset.method.email' }, { key: 'reset.method.sms' }] }),
    );
  }

  private async send(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const uid = (step.values as Record<string, unknown>)['uid'] as string;
    const method = recognizeMethod(step.result as string);
    const info = turnInfo(step.context);
    if (method === 'email') return this.sendEmailLink(step, uid);
    if (this.deps.smsAvailable && !(await this.deps.smsAvailable())) {
      await say(this.deps, step.context, 'reset.smsUnavailable');
      return step.replaceDialog(RESET_STEPS, { uid });
    }
    const sent = await this.deps.pinReset.requestSmsCode(uid, info);
    if (sent.kind !== 'sent') {
      await say(this.deps, step.context, 'limit.paused');
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
    if (sent.kind === 'paused') await say(this.deps, step.context, 'limit.paused');
    else await say(this.deps, step.context, 'reset.emailSent', { uid, minutes: Math.round(this.deps.policy.linkTtlMs / 60_000) });
    return step.endDialog();
  }

  private async giveLink(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CodeEntryResult | undefined;
    const uid = (step.values as Record<string, unknown>)['uid'] as string;
    if (result && !result.verified && result.useEmail) return this.sendEmailLink(step, uid);
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
