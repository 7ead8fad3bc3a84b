import type { TurnContext } from 'botbuilder';
import { WaterfallDialog, type DialogContext, type DialogInstance, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { normalizeUid } from '../src/domain/contactFormats.js';
import type { HandoffReason } from '../src/ports/deskStore.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { recognizeYesNo } from './commands.js';
import { say, type DialogDeps } from './deps.js';
import { recognizeHandoff } from './deskWords.js';
import { languageOf } from './language.js';
import { LocalizedTextPrompt, ask, uidPrompt } from './prompts.js';
import { TEAMS } from './cards.js';

export const HANDOFF_DIALOG = 'handoff';
const OFFER_PROMPT = 'handoffOfferPrompt';
const UID_PROMPT = 'handoffUidPrompt';

export interface HandoffOptions {
  reason: HandoffReason;
  /** The UID the flow was about, as typed. */
  uid?: string;
}

/**
 * Offers to pass the case to the service desk, asks for the UID if it is not known yet, then opens
 * the case and tells the user its reference and what happens next. The words are the same
 * whatever the UID, known or not; "passed on" is said only once the desk has the case.
 */
export class HandoffDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(HANDOFF_DIALOG, deps);
    this.addDialog(new LocalizedTextPrompt(OFFER_PROMPT, deps, async (pc) => recognizeYesNo(pc.recognized.value) !== undefined));
    this.addDialog(uidPrompt(UID_PROMPT, deps));
    this.addDialog(new WaterfallDialog('handoffSteps', [(s) => this.offer(s), (s) => this.askUid(s), (s) => this.open(s)]));
    this.initialDialogId = 'handoffSteps';
  }

  private async offer(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { reason } = step.options as HandoffOptions;
    if (!this.deps.desk?.handoff.available) {
      await say(this.deps, step.context, 'handoff.unavailable');
      return step.endDialog();
    }
    return step.prompt(OFFER_PROMPT, ask({ prompt: { key: `handoff.offer.${reason}` }, retry: { key: 'handoff.badAnswer' }, actions: [{ key: 'answer.yes' }, { key: 'answer.no' }] }));
  }

  private async askUid(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (recognizeYesNo(step.result as string) !== true) {
      await say(this.deps, step.context, 'handoff.declined');
      return step.endDialog();
    }
    const known = await this.provenUid(step.context);
    const fromFlow = (step.options as HandoffOptions).uid;
    if (known ?? fromFlow) return step.next(known ?? fromFlow);
    return step.prompt(UID_PROMPT, ask({ prompt: { key: 'handoff.askUid' }, retry: { key: 'identity.badUid' } }));
  }

  private async open(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { reason } = step.options as HandoffOptions;
    const uid = normalizeUid(String(step.result ?? '')) ?? '';
    const proven = await this.provenUid(step.context);
    const { activity } = step.context;
    const outcome = await this.deps.desk!.handoff.open({
      reason,
      uid,
      verified: proven !== undefined && proven === uid,
      channel: activity.channelId,
      language: languageOf(step.context).language,
      conversationId: activity.conversation?.id ?? '',
      reach: reachOf(step.context),
    });
    if (outcome.kind === 'limited') await say(this.deps, step.context, 'handoff.limited');
    else await say(this.deps, step.context, outcome.kind === 'delivered' ? 'handoff.delivered' : 'handoff.pending', { reference: outcome.reference });
    return step.endDialog();
  }

  /** The account the user proved: signed in to Teams (a verified request), or a code in this conversation. */
  private async provenUid(context: TurnContext): Promise<string | undefined> {
    return (await this.deps.signedIn?.uidOf(context)) ?? (await this.deps.language.provenAccount(context));
  }
}

/** How the service desk can reach the user on the channel they are using: their number, their Teams user, or this chat. */
function reachOf(context: TurnContext): Record<string, string> {
  const { activity } = context;
  const from = activity.from ?? { id: '' };
  if (activity.channelId === 'sms') return { how: 'SMS to the number the user texted from', number: from.id };
  if (activity.channelId === TEAMS) {
    return {
      how: 'Microsoft Teams chat with the user',
      ...(from.name ? { name: from.name } : {}),
      ...(from.aadObjectId ? { aadObjectId: from.aadObjectId } : {}),
      teamsUserId: from.id,
    };
  }
  return { how: `the ${activity.channelId} chat with the bot (no address outside it; use the account's contacts)`, conversation: activity.conversation?.id ?? '', user: from.id };
}

/** The UID the flow was about as the turn began, kept for what follows the turn (see afterTurn). */
const FLOW_UID = Symbol('flowUid');

/** The UID the flow was about: as the turn began, else typed this turn (as an answer to the UID question). */
export function uidOfTurn(context: TurnContext): string | undefined {
  return (context.turnState.get(FLOW_UID) as string | undefined) ?? normalizeUid(context.activity.text ?? '');
}

/** The UID the interrupted flow was about (a prompt's options or a waterfall's values, innermost first). */
function uidInFlow(dc: DialogContext): string | undefined {
  const seen: string[] = [];
  const visit = (stack: DialogInstance[] | undefined) => {
    for (const instance of [...(stack ?? [])].reverse()) {
      const state = instance.state as { options?: { uid?: unknown }; values?: { uid?: unknown }; dialogs?: { dialogStack?: DialogInstance[] } } | undefined;
      for (const uid of [state?.options?.uid, state?.values?.uid]) if (typeof uid === 'string' && normalizeUid(uid)) seen.push(uid);
      visit(state?.dialogs?.dialogStack);
    }
  };
  visit(dc.stack);
  return seen.at(-1);
}

/**
 * At any prompt of any flow: words that ask for a person, or that say the code never arrives or
 * the phone or mailbox is gone, end the flow and offer the hand-off instead.
 */
export async function interruptForHandoff(innerDc: DialogContext, deps: DialogDeps): Promise<DialogTurnResult | undefined> {
  if (!deps.desk) return undefined;
  const uid = uidInFlow(innerDc);
  if (uid) innerDc.context.turnState.set(FLOW_UID, uid);
  const reason = recognizeHandoff(innerDc.context.activity.text);
  if (!reason || innerDc.stack.some((d) => d.id === HANDOFF_DIALOG)) return undefined;
  await innerDc.cancelAllDialogs();
  return innerDc.beginDialog(HANDOFF_DIALOG, { reason, ...(uid ? { uid } : {}) } satisfies HandoffOptions);
}
