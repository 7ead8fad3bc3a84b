import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { teamsUserKey } from '../src/domain/teamsConversations.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { say, turnInfo, type DialogDeps } from './deps.js';
import { IdentityDialog, proveIdentity, type VerifiedIdentity } from './identityDialog.js';
import { TEAMS } from './cards.js';

export const STOP_REMINDERS_DIALOG = 'stopReminders';

/**
 * "stop reminders" (`停止提醒`): the account is never reminded again. Where the bot knows the
 * account (signed in to Teams, the Teams chat a reminder went to, or proved in this conversation)
 * at once; elsewhere once the user proves it the ordinary way, so nobody can stop another's reminders.
 */
export class StopRemindersDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(STOP_REMINDERS_DIALOG, deps);
    this.addDialog(new IdentityDialog(deps));
    this.addDialog(new WaterfallDialog('stopRemindersSteps', [(s) => this.findAccount(s), (s) => this.stop(s)]));
    this.initialDialogId = 'stopRemindersSteps';
  }

  private async findAccount(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { context } = step;
    const known =
      (await this.deps.signedIn?.uidOf(context)) ??
      (await this.deps.language.provenAccount(context)) ??
      (context.activity.channelId === TEAMS ? await this.keptAccount(step) : undefined);
    if (known) return step.next({ uid: known, identity: { kind: 'signed-in' } } satisfies VerifiedIdentity);
    return proveIdentity(step, this.deps);
  }

  /** The account of the Teams conversation the bot keeps for this user (a reminder went there). */
  private async keptAccount(step: WaterfallStepContext): Promise<string | undefined> {
    const key = teamsUserKey(step.context.activity.from);
    const kept = key ? await this.deps.desk?.conversations.ofUser(key) : undefined;
    return kept?.reference && (kept.reference['conversation'] as { id?: string } | undefined)?.id === step.context.activity.conversation?.id ? kept.uid : undefined;
  }

  private async stop(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const who = step.result as VerifiedIdentity | undefined;
    if (!who) return step.endDialog();
    await this.deps.desk?.reminders.stop(who.uid, turnInfo(step.context));
    await say(this.deps, step.context, 'reminders.stopped');
    return step.endDialog();
  }
}
