import { ChoicePrompt, ListStyle, WaterfallDialog, type Choice, type DialogTurnResult, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { normalizeUid } from '../src/domain/contactFormats.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { uidPrompt } from './prompts.js';
import { CODE_ENTRY_DIALOG, CodeEntryDialog, type CodeEntryOptions, type CodeEntryResult } from './codeEntryDialog.js';
import { say, text, turnInfo, type DialogDeps } from './deps.js';

export const RESET_DIALOG = 'resetPin';
const UID_PROMPT = 'resetUidPrompt';
const METHOD_PROMPT = 'resetMethodPrompt';

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
    this.addDialog(
      new CodeEntryDialog(deps, async (o, info) => {
        const sent = await deps.pinReset.resendSms(o.challengeId, o.uid, info);
        return sent.kind === 'sent' ? { ...sent, target: '' } : sent;
      }),
    );
    this.addDialog(
      new WaterfallDialog('resetSteps', [(s) => this.askUid(s), (s) => this.askMethod(s), (s) => this.send(s), (s) => this.giveLink(s)]),
    );
    this.initialDialogId = 'resetSteps';
  }

  private askUid(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // Asked again for the method (SMS unavailable): the UID is already known.
    const known = (step.options as { uid?: string } | undefined)?.uid;
    if (known) return step.next(known);
    return step.prompt(UID_PROMPT, { prompt: text(this.deps, step.context, 'identity.askUid'), retryPrompt: text(this.deps, step.context, 'identity.badUid') });
  }

  private askMethod(step: WaterfallStepContext): Promise<DialogTurnResult> {
    (step.values as Record<string, unknown>)['uid'] = normalizeUid(step.result as string);
    return step.prompt(METHOD_PROMPT, {
      prompt: text(this.deps, step.context, 'reset.askMethod'),
      retryPrompt: text(this.deps, step.context, 'reset.badMethod'),
      choices: METHODS,
      // The prompt's text already lists the methods; buttons are added where the channel shows them.
      style: step.context.activity.channelId === 'sms' ? ListStyle.none : ListStyle.suggestedAction,
    });
  }

  private async send(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const uid = (step.values as Record<string, unknown>)['uid'] as string;
    const method = (step.result as FoundChoice).value;
    const info = turnInfo(step.context);
    if (method === 'email') return this.sendEmailLink(step, uid);
    if (this.deps.smsAvailable && !(await this.deps.smsAvailable())) {
      await say(this.deps, step.context, 'reset.smsUnavailable');
      return step.replaceDialog(this.id, { uid });
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
    const url = await this.deps.pinReset.issueLinkAfterSms(result.challengeId, uid, turnInfo(step.context));
    if (!url) {
      await say(this.deps, step.context, 'reset.linkFailed');
      return step.endDialog();
    }
    await say(this.deps, step.context, 'reset.linkReady', { url, minutes: Math.round(this.deps.policy.smsLinkTtlMs / 60_000) });
    return step.endDialog();
  }
}
