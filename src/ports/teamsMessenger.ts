/** A message the bot writes first, in Teams: text, and buttons that each send a command back. */
export interface ProactiveMessage {
  text: string;
  /** `value` is what the button sends as the user's message (`register`, `stop reminders`). */
  buttons: { title: string; value: string }[];
}

/** Writes to a Teams user in a conversation the bot already holds (a proactive message). */
export interface TeamsMessenger {
  /** Resolves once the Bot Connector accepted the message; rejects otherwise. */
  send(reference: Record<string, unknown>, message: ProactiveMessage): Promise<void>;
}
