export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one email. Rejects if the message was not accepted for delivery. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
