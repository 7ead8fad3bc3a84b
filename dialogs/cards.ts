import { CardFactory, type Attachment, type TurnContext } from 'botbuilder';
import { text, type DialogDeps } from './deps.js';

/** The key of the PIN page's URL in the "Set new PIN" button's task/fetch data. */
export const PIN_PAGE_DATA_KEY = 'pinPage';

/** The Bot Framework's channel id for Microsoft Teams. */
export const TEAMS = 'msteams';

export const inTeams = (context: TurnContext) => context.activity.channelId === TEAMS;

/** Buttons for what the bot can do; each sends the command word back. */
export function menuCard(deps: DialogDeps, context: TurnContext): Attachment {
  const button = (key: 'teams.button.register' | 'teams.button.reset' | 'teams.button.status' | 'teams.button.help', command: string) => ({
    type: 'imBack',
    title: text(deps, context, key),
    value: command,
  });
  return CardFactory.heroCard('', undefined, [
    button('teams.button.register', 'register'),
    button('teams.button.reset', 'reset'),
    button('teams.button.status', 'status'),
    button('teams.button.help', 'help'),
  ]);
}

/** After a correct SMS code in Teams: "Set new PIN" opens the PIN page as a Teams dialog (task/fetch); the link also opens in a browser. */
export function setPinCard(deps: DialogDeps, context: TurnContext, url: string, minutes: number): Attachment {
  return CardFactory.heroCard('', text(deps, context, 'teams.setPinCard', { minutes }), undefined, [
    { type: 'invoke', title: text(deps, context, 'reset.linkButton'), value: { type: 'task/fetch', [PIN_PAGE_DATA_KEY]: url } },
    { type: 'openUrl', title: text(deps, context, 'teams.openInBrowser'), value: url },
  ]);
}
