import { CardFactory, MessageFactory, type Activity, type Attachment, type CardAction, type TurnContext } from 'botbuilder';
import type { MessageKey } from '../src/messages/catalog.js';
import { text, type DialogDeps } from './deps.js';

/** The key of the PIN page's URL in the "Set new PIN" button's task/fetch data. */
export const PIN_PAGE_DATA_KEY = 'pinPage';

/** The Bot Framework's channel id for Microsoft Teams. */
export const TEAMS = 'msteams';

export const inTeams = (context: TurnContext) => context.activity.channelId === TEAMS;

const MENU = [
  ['teams.button.register', 'register'],
  ['teams.button.reset', 'reset'],
  ['teams.button.status', 'status'],
  ['teams.button.help', 'help'],
] as const;

/** Buttons for what the bot can do; each sends the command word back. */
export function menuCard(deps: DialogDeps, context: TurnContext): Attachment {
  return CardFactory.heroCard('', undefined, menuActions(deps, context));
}

function menuActions(deps: DialogDeps, context: TurnContext): CardAction[] {
  return MENU.map(([key, command]) => ({ type: 'imBack', title: text(deps, context, key), value: command }));
}

/**
 * A short sentence with what the bot can do as buttons where the channel shows them: a card in
 * Teams, suggested actions elsewhere, numbered options by SMS (see smsRendering.ts).
 */
export function withMenu(deps: DialogDeps, context: TurnContext, key: MessageKey): Partial<Activity> {
  const said = text(deps, context, key);
  if (inTeams(context)) return { ...MessageFactory.text(said), attachments: [menuCard(deps, context)] };
  return MessageFactory.suggestedActions(menuActions(deps, context), said);
}

/** After a correct SMS code in Teams: "Set new PIN" opens the PIN page as a Teams dialog (task/fetch); the link also opens in a browser. */
export function setPinCard(deps: DialogDeps, context: TurnContext, url: string, minutes: number): Attachment {
  return CardFactory.heroCard('', text(deps, context, 'teams.setPinCard', { minutes }), undefined, [
    { type: 'invoke', title: text(deps, context, 'reset.linkButton'), value: { type: 'task/fetch', [PIN_PAGE_DATA_KEY]: url } },
    { type: 'openUrl', title: text(deps, context, 'teams.openInBrowser'), value: url },
  ]);
}
