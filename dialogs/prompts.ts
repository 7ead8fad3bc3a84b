import { TextPrompt } from 'botbuilder-dialogs';
import { normalizeUid } from '../src/domain/contactFormats.js';

/** A text prompt that accepts only a well-formed portal UID. */
export const uidPrompt = (id: string) => new TextPrompt(id, async (pc) => pc.recognized.succeeded && normalizeUid(pc.recognized.value ?? '') !== undefined);
