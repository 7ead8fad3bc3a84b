import { ChoicePrompt, ConfirmPrompt, WaterfallDialog, type Choice, type DialogTurnResult, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { normalizeUid } from '../src/domain/contactFormats.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { uidPrompt } from './prompts.js';
import { CODE_ENTRY_DIALOG, CodeEntryDialog, type CodeEntryOptions, type CodeEntryResult } from './codeEntryDialog.js';
import { say, text, turnInfo, type DialogDeps } from './deps.js';
import { choiceStyle, inTeams, setPinCard } from './cards.js';

export const RESET_DIALOG = 'resetPin';
const UID_PROMPT = 'resetUidPrompt';
const METHOD_PROMPT = 'resetMethodPrompt';
const CONFIRM_UID_PROMPT = 'resetConfirmUidPrompt';

const METHODS: Choice[] = [
  { value: 'email', synonyms: ['e-mail', 'mail', 'link', 'email link'] },
  { value: 'sms', synonyms: ['text', 'mobile', 'phone', 'code', 'sms code'] },
];

/**
 * Reset PIN (DESIGN.md): the UID, then the method. Email sends a link; SMS sends a code whose
 * correct entry earns a one-time link. The new PIN is only ever typed into the PIN page. Replies
 * are the same for unknown, unregistered and registered UIDs.
 */
export class ResetPinDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(RESET_DIALOG, deps);
    this.addDialog(uidPrompt(UID_PROMPT));
    this.addDialog(new ChoicePrompt(METHOD_PROMPT, undefined, 'en-us'));
    this.addDialog(new ConfirmPrompt(CONFIRM_UID_PROMPT, undefined, 'en-us'));
    this.addDialog(
      new CodeEntryDialog(deps, async (o, info) => {
        const sent = await deps.pinReset.resendSms(o.challengeId, o.uid, info);
        return sent.kind === 'sent' ? { ...sent, target: '' } : sent;
      }),
    );
    this.addDialog(
      new WaterfallDialog('resetSteps', [(s) => this.confirmSignedIn(s), (s) => this.askUid(s), (s) => this.askMethod(s), (s) => this.send(s), (s) => this.giveLink(s)]),
    );
    this.initialDialogId = 'resetSteps';
  }

  /** Signed in to Teams: offer that account's UID, to be confirmed; the link or code still goes to its registered contacts. */
  private async confirmSignedIn(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const uid = await this.deps.signedIn?.uidOf(step.context);
    if (!uid) return step.next();
    (step.values as Record<string, unknown>)['signedInUid'] = uid;
    return step.prompt(CONFIRM_UID_PROMPT, {
      prompt: text(this.deps, step.context, 'teams.confirmUid', { uid }),
      retryPrompt: text(this.deps, step.context, 'teams.badConfirm', { uid }),
    });
  }

  private askUid(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const signedInUid = (step.values as Record<string, unknown>)['signedInUid'] as string | undefined;
    if (signedInUid && step.result === true) return step.next(signedInUid);
    return step.prompt(UID_PROMPT, { prompt: text(this.deps, step.context, 'identity.askUid'), retryPrompt: text(this.deps, step.context, 'identity.badUid') });
  }

  private askMethod(step: WaterfallStepContext): Promise<DialogTurnResult> {
    (step.values as Record<string, unknown>)['uid'] = normalizeUid(step.result as string);
    return step.prompt(METHOD_PROMPT, {
      prompt: text(this.deps, step.context, 'reset.askMethod'),
      retryPrompt: text(this.deps, step.context, 'reset.badMethod'),
      choices: METHODS,
      // The prompt's text already lists the methods; buttons are added where the channel shows them.
      style: choiceStyle(step.context),
    });
  }

  private async send(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const uid = (step.values as Record<string, unknown>)['uid'] as string;
    const method = (step.result as FoundChoice).value;
    const info = turnInfo(step.context);
    if (method === 'email') {
      const sent = await this.deps.pinReset.requestEmailLink(uid, info);
      if (sent.kind === 'paused') await say(this.deps, step.context, 'limit.paused');
      else await say(this.deps, step.context, 'reset.emailSent', { uid, minutes: Math.round(this.deps.policy.linkTtlMs / 60_000) });
      return step.endDialog();
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
      prompt: text(this.deps, step.context, 'reset.smsSent', { uid }),
    } satisfies CodeEntryOptions);
  }

  private async giveLink(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CodeEntryResult | undefined;
    if (!result?.verified) return step.endDialog();
    const uid = (step.values as Record<string, unknown>)['uid'] as string;
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
