export interface SmsMessage {
  /** E.164 number. */
  to: string;
  body: string;
  /**
   * Ask the provider to report delivery. Only for codes: an undelivered report marks the open codes
   * to that number as failed, so a report on any other text (a chat reply, a notice) would wrongly
   * fail a code that did arrive.
   */
  deliveryReport?: boolean;
}

/** Sends one SMS. Rejects if the provider did not accept it. */
export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}
