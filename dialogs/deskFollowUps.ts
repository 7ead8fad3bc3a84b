import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { MessageKey } from '../src/messages/catalog.js';
import { SAID_THIS_TURN, type DialogDeps } from './deps.js';
import { HANDOFF_DIALOG, uidOfTurn, type HandoffOptions } from './handoffDialog.js';

/**
 * What follows whatever the turn did, once its flow has ended: a turn that paused self-service
 * is followed by the offer of a hand-off; a proved account whose last link died of refused PINs
 * is offered one too (once per conversation).
 */
export async function afterTurn(step: WaterfallStepContext, deps: DialogDeps): Promise<DialogTurnResult> {
  const desk = deps.desk;
  if (!desk?.handoff.available) return step.endDialog();
  const said = (step.context.turnState.get(SAID_THIS_TURN) as MessageKey[] | undefined) ?? [];
  // A hand-off was just offered (or declined) this turn: nothing more.
  if (said.some((key) => key.startsWith('handoff.'))) return step.endDialog();
  if (said.includes('limit.paused')) {
    const uid = uidOfTurn(step.context);
    return step.beginDialog(HANDOFF_DIALOG, { reason: 'paused', ...(uid ? { uid } : {}) } satisfies HandoffOptions);
  }
  const proven = (await deps.signedIn?.uidOf(step.context)) ?? (await deps.language.provenAccount(step.context));
  if (proven) {
    const state = (await desk.state.get(step.context)) ?? {};
    if (state.pinsRefusedOffered !== proven && (await desk.handoff.pinsAllRefused(proven))) {
      await desk.state.set(step.context, { ...state, pinsRefusedOffered: proven });
      return step.beginDialog(HANDOFF_DIALOG, { reason: 'pins-refused', uid: proven } satisfies HandoffOptions);
    }
  }
  return step.endDialog();
}
