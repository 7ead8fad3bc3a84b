import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { localTime, type IdentityProof } from '../src/domain/contactRegistration.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { say, text, turnInfo, type DialogDeps } from './deps.js';
import { recognizeChangedContact, recognizeReconfirm } from './deskWords.js';
import { IdentityDialog, proveIdentity, type VerifiedIdentity } from './identityDialog.js';
import { LocalizedTextPrompt, ask } from './prompts.js';
import { VERIFY_EMAIL_DIALOG, VERIFY_MOBILE_DIALOG, VerifyContactDialog, type VerifyContactOptions, type VerifiedContact } from './verifyContactDialog.js';

export const RECONFIRM_DIALOG = 'reconfirmContacts';
const STILL_YOURS_PROMPT = 'reconfirmStillYoursPrompt';
const WHICH_PROMPT = 'reconfirmWhichPrompt';

export interface ReconfirmOptions {
  /** The account the user proved in this conversation. */
  uid: string;
}

interface ReconfirmValues {
  which?: 'email' | 'mobile' | 'both';
  identity?: IdentityProof;
  emailChallengeId?: string;
}

/**
 * "Are these still yours?" (CONTACTS_RECONFIRM_DAYS): shows the proved account's contacts, masked.
 * **yes** records the confirmation; **change** asks which one changed and verifies the new one by
 * its code, as a registration would, keeping the other.
 */
export class ReconfirmDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(RECONFIRM_DIALOG, deps);
    this.addDialog(new LocalizedTextPrompt(STILL_YOURS_PROMPT, deps, async (pc) => recognizeReconfirm(pc.recognized.value) !== undefined));
    this.addDialog(new LocalizedTextPrompt(WHICH_PROMPT, deps, async (pc) => recognizeChangedContact(pc.recognized.value) !== undefined));
    this.addDialog(new IdentityDialog(deps));
    this.addDialog(new VerifyContactDialog(deps, 'email'));
    this.addDialog(new VerifyContactDialog(deps, 'mobile'));
    this.addDialog(
      new WaterfallDialog('reconfirmSteps', [
        (s) => this.askStillYours(s),
        (s) => this.askWhich(s),
        (s) => this.proveIfNeeded(s),
        (s) => this.verifyEmail(s),
        (s) => this.verifyMobile(s),
        (s) => this.save(s),
      ]),
    );
    this.initialDialogId = 'reconfirmSteps';
  }

  private values(step: WaterfallStepContext): ReconfirmValues {
    return step.values as ReconfirmValues;
  }

  private async askStillYours(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { uid } = step.options as ReconfirmOptions;
    const due = await this.deps.desk?.reconfirm.due(uid);
    if (!due) return step.endDialog();
    const notSet = text(this.deps, step.context, 'status.notSet');
    return step.prompt(
      STILL_YOURS_PROMPT,
      ask({
        prompt: { key: 'reconfirm.ask', params: { when: localTime(due.since), email: due.email ?? notSet, mobile: due.mobile ?? notSet } },
        retry: { key: 'reconfirm.badAnswer' },
        actions: [{ key: 'answer.yes' }, { key: 'reconfirm.answer.change' }],
      }),
    );
  }

  private async askWhich(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { uid } = step.options as ReconfirmOptions;
    if (recognizeReconfirm(step.result as string) === 'yes') {
      await this.deps.desk!.reconfirm.confirm(uid, turnInfo(step.context));
      await say(this.deps, step.context, 'reconfirm.confirmed');
      return step.endDialog();
    }
    return step.prompt(
      WHICH_PROMPT,
      ask({ prompt: { key: 'reconfirm.which' }, retry: { key: 'reconfirm.badWhich' }, actions: [{ key: 'reconfirm.which.email' }, { key: 'reconfirm.which.mobile' }, { key: 'reconfirm.which.both' }] }),
    );
  }

  /** A change needs a proved identity as a registration does: signed in, an identity code used lately, or a new one now. */
  private async proveIfNeeded(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { uid } = step.options as ReconfirmOptions;
    this.values(step).which = recognizeChangedContact(step.result as string);
    if ((await this.deps.signedIn?.uidOf(step.context)) === uid) return step.next({ uid, identity: { kind: 'signed-in' } } satisfies VerifiedIdentity);
    const recent = await this.deps.desk!.reconfirm.recentIdentityProof(uid);
    if (recent) return step.next({ uid, identity: recent } satisfies VerifiedIdentity);
    return proveIdentity(step, this.deps);
  }

  private async verifyEmail(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { uid } = step.options as ReconfirmOptions;
    const who = step.result as VerifiedIdentity | undefined;
    // Proved as another account than the one asked about: nothing to change here.
    if (!who || who.uid !== uid) return step.endDialog();
    this.values(step).identity = who.identity;
    if (this.values(step).which === 'mobile') return step.next();
    return step.beginDialog(VERIFY_EMAIL_DIALOG, { uid } satisfies VerifyContactOptions);
  }

  private async verifyMobile(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { uid } = step.options as ReconfirmOptions;
    const values = this.values(step);
    if (values.which !== 'mobile') {
      const emailChallengeId = verifiedChallenge(step.result);
      if (!emailChallengeId) return step.endDialog();
      values.emailChallengeId = emailChallengeId;
      if (values.which === 'email') return step.next();
    }
    return step.beginDialog(VERIFY_MOBILE_DIALOG, { uid } satisfies VerifyContactOptions);
  }

  private async save(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { uid } = step.options as ReconfirmOptions;
    const { which, identity, emailChallengeId } = this.values(step);
    const mobileChallengeId = which === 'email' ? undefined : verifiedChallenge(step.result);
    if (which !== 'email' && !mobileChallengeId) return step.endDialog();
    const info = turnInfo(step.context);
    const registration = this.deps.registration;
    const saved =
      which === 'both'
        ? await registration.save(uid, { identity: identity!, emailChallengeId: emailChallengeId!, mobileChallengeId: mobileChallengeId! }, info)
        : await registration.replaceOne(uid, { identity: identity!, kind: which === 'email' ? 'email' : 'mobile', challengeId: which === 'email' ? emailChallengeId! : mobileChallengeId! }, info);
    if (!saved) {
      await say(this.deps, step.context, 'register.expired');
      return step.endDialog();
    }
    const notSet = text(this.deps, step.context, 'status.notSet');
    await say(this.deps, step.context, 'reconfirm.saved', { email: saved.email ?? notSet, mobile: saved.mobile ?? notSet });
    return step.endDialog();
  }
}

/** The verified code a contact step ended with; a change of mind there (back to the email) ends this change instead. */
function verifiedChallenge(result: unknown): string | undefined {
  const ended = result as VerifiedContact | undefined;
  return ended && 'challengeId' in ended ? ended.challengeId : undefined;
}
