import type { TurnContext } from 'botbuilder';
import type { Localized } from '../src/messages/catalog.js';
import { say, type DialogDeps } from './deps.js';

// Built once: a formatter with options is slow to build.
const EN_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Hong_Kong', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const EN_DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Hong_Kong', day: 'numeric', month: 'short' });
const ZH_WHEN = new Intl.DateTimeFormat('zh-HK', { timeZone: 'Asia/Hong_Kong', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** When a pause ends, in Hong Kong time, as each language writes it: `14:05 on 2 Sept`, `9月2日 14:05`. */
export function pauseEnd(until: number): Localized {
  return { en: `${EN_TIME.format(until)} on ${EN_DAY.format(until)}`, 'zh-hk': ZH_WHEN.format(until) };
}

/**
 * Self-service is paused for the account: says until when, and what to do meanwhile. Every UID
 * string has its own pause, counted the same way, so the words say nothing about the account.
 */
export function sayPaused(deps: DialogDeps, context: TurnContext, until: number): Promise<void> {
  return say(deps, context, 'limit.paused', { until: pauseEnd(until) });
}
