import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { teamsUserKey } from '../src/domain/teamsConversations.js';
import { TEAMS } from './cards.js';
import type { MessageKey } from '../src/messages/catalog.js';
import { SAID_THIS_TURN, type DialogDeps } from './deps.js';
import { HANDOFF_DIALOG, uidOfTurn, type HandoffOptions } from './handoffDialog.js';
import { RECONFIRM_DIALOG, type ReconfirmOptions } from './reconfirmDialog.js';

/**
 * What follows whatever the turn did, once its flow has ended: a turn that paused self-service
 * is followed by the offer of a hand-off; a proved account whose last link died of refused PINs
 * is offered one too (once per conversation); a proved account whose contacts are old is asked
 * whether they are still its own (CONTACTS_RECONFIRM_DAYS, once per conversation).
 */
export async function afterTurn(step: WaterfallStepContext, deps: DialogDeps): Promise<DialogTurnResult> {
  const desk = deps.desk;
  if (!desk) return step.endDialog();
  const said = (step.context.turnState.get(SAID_THIS_TURN) as MessageKey[] | undefined) ?? [];
  // A hand-off, a re-confirmation or a stop was just dealt with this turn: nothing more.
  if (said.some((key) => key.startsWith('handoff.') || key.startsWith('reconfirm.') || key === 'reminders.stopped')) return step.endDialog();
  if (!desk.handoff.available) return reconfirmIfDue(step, deps);
  if (said.includes('limit.paused')) {
    const uid = uidOfTurn(step.context);
    return step.beginDialog(HANDOFF_DIALOG, { reason: 'paused', ...(uid ? { uid } : {}) } satisfies HandoffOptions);
  }
  const proven = await provenAccount(step.context, deps);
  if (proven) {
    const state = (await desk.state.get(step.context)) ?? {};
    if (state.pinsRefusedOffered !== proven && (await desk.handoff.pinsAllRefused(proven))) {
      await desk.state.set(step.context, { ...state, pinsRefusedOffered: proven });
      return step.beginDialog(HANDOFF_DIALOG, { reason: 'pins-refused', uid: proven } satisfies HandoffOptions);
    }
  }
  return reconfirmIfDue(step, deps);
}

async function reconfirmIfDue(step: WaterfallStepContext, deps: DialogDeps): Promise<DialogTurnResult> {
  const desk = deps.desk!;
  if (!desk.reconfirm.enabled) return step.endDialog();
  const proven = await provenAccount(step.context, deps);
  if (!proven) return step.endDialog();
  const state = (await desk.state.get(step.context)) ?? {};
  if (state.reconfirmAsked === proven || !(await desk.reconfirm.due(proven))) return step.endDialog();
  await desk.state.set(step.context, { ...state, reconfirmAsked: proven });
  return step.beginDialog(RECONFIRM_DIALOG, { uid: proven } satisfies ReconfirmOptions);
}

/**
 * The account this conversation is known to belong to, without a network call on every turn: proved
 * in it (a code, or signed in during a flow), or the account the kept Teams conversation of this
 * user was matched to (from the signed-in identity, see TeamsConversationKeeper).
 */
export async function provenAccount(context: TurnContext, deps: DialogDeps): Promise<string | undefined> {
  const proven = await deps.language.provenAccount(context);
  if (proven || context.activity.channelId !== TEAMS || !deps.desk) return proven;
  const key = teamsUserKey(context.activity.from);
  const kept = key ? await deps.desk.conversations.ofUser(key) : undefined;
  const sameChat = (kept?.reference['conversation'] as { id?: string } | undefined)?.id === context.activity.conversation?.id;
  return sameChat ? kept?.uid : undefined;
}
