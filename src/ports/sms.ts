export interface SmsMessage {
  /** E.164 number. */
  to: string;
  body: string;
}

/** Sends one SMS. Rejects if the provider did not accept it. */
export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}
