import type { Activity, CardAction, Middleware, StatePropertyAccessor, TurnContext } from 'botbuilder';
import type { Logger } from '../../ports/logger.js';
import { plain } from '../../messages/catalog.js';
import { smsSize } from '../../domain/smsSegments.js';

/** Punctuation that would force a whole text into UCS-2 (70 characters a segment), with its GSM-7 stand-in. */
const TYPOGRAPHY: [RegExp, string][] = [
  [/[‘’]/g, "'"],
  [/[“”]/g, '"'],
  [/[–—]/g, '-'],
  [/…/g, '...'],
  // Chat masks hide with `•` (markdown reads `*`); a text is plain, so the ASCII mask is kept.
  [/•/g, '*'],
];

export interface SmsText {
  text: string;
  /** What each numbered option stands for, in order (option 1 first). */
  options: string[];
}

/** A reply as plain SMS text: no markdown, cards and suggested actions become numbered options or links. */
export function renderForSms(activity: Partial<Activity>): SmsText {
  let text = plain(activity.text ?? '');
  for (const [pattern, ascii] of TYPOGRAPHY) text = text.replace(pattern, ascii);
  const lines: string[] = [];
  const options: string[] = [];
  const actions: CardAction[] = [...(activity.suggestedActions?.actions ?? [])];
  for (const attachment of activity.attachments ?? []) {
    const content = attachment.content as { title?: string; text?: string; buttons?: CardAction[] } | undefined;
    for (const part of [content?.title, content?.text]) if (part && !text.includes(part)) lines.push(plain(part));
    actions.push(...(content?.buttons ?? []));
  }
  for (const action of actions) {
    const value = typeof action.value === 'string' ? action.value : action.title;
    if (action.type === 'openUrl' || action.type === 'signin') {
      if (value && !text.includes(value)) lines.push(`${action.title}: ${value}`);
    } else if (value) {
      options.push(value);
      lines.push(`${options.length}. ${action.title || value}`);
    }
  }
  return { text: [text, ...lines].filter(Boolean).join('\n'), options };
}

/**
 * Renders every reply on an SMS conversation (channelId `sms`, ours or Azure's Twilio channel) as
 * plain text, and lets a bare number answer the numbered options of the previous reply.
 */
export class SmsRendering implements Middleware {
  constructor(private readonly lastOptions: StatePropertyAccessor<string[]>, private readonly logger: Logger) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.channelId !== 'sms') return next();
    if (context.activity.type === 'message') {
      const options = await this.lastOptions.get(context, []);
      const picked = /^\s*(\d{1,2})\s*$/.exec(context.activity.text ?? '');
      const chosen = picked ? options[Number(picked[1]) - 1] : undefined;
      if (chosen) context.activity.text = chosen;
    }
    context.onSendActivities(async (ctx, activities, sendNext) => {
      let options: string[] | undefined;
      for (const activity of activities) {
        if (activity.type !== 'message') continue;
        const rendered = renderForSms(activity);
        activity.text = rendered.text;
        activity.textFormat = 'plain';
        delete activity.suggestedActions;
        delete activity.attachments;
        options = rendered.options;
        const size = smsSize(rendered.text);
        if (size.segments > 2) this.logger.warn({ segments: size.segments, encoding: size.encoding }, 'SMS reply longer than two segments');
      }
      if (options) await this.lastOptions.set(ctx, options);
      return sendNext();
    });
    return next();
  }
}
