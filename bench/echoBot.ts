import { ActivityHandler } from 'botbuilder';
import { serveBaseline } from './baselineServer.js';

/**
 * The baseline for `npm run bench`: a minimal echo bot on the same stack as the real server
 * (restify with the same body parsing, CloudAdapter, ActivityHandler), no state and no store.
 * The bench sends it the same activities, at the same concurrency, as the real bot.
 */
class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`You said: ${context.activity.text ?? ''}`);
      await next();
    });
  }
}

const bot = new EchoBot();
serveBaseline('echo-bot', (context) => bot.run(context));
