import type { Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from '../../ports/mailer.js';

/** Mail over SMTP with nodemailer (SMTP_URL). */
export class SmtpMailer implements Mailer {
  private readonly transport: Promise<Transporter>;
  constructor(url: string, private readonly from: string) {
    // Loaded only where SMTP is configured, to keep the start quick.
    this.transport = import('nodemailer').then((m) => m.default.createTransport(url));
    this.transport.catch(() => undefined); // a failure is reported by send()
  }
  async send(m: MailMessage): Promise<void> {
    await (await this.transport).sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text, html: m.html });
  }
  async close(): Promise<void> {
    (await this.transport.catch(() => undefined))?.close();
  }
}
