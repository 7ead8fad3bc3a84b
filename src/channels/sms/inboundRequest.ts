import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

export interface SimulatedSms {
  /** PUBLIC_BASE_URL of the bot: the URL Twilio would sign and post to. */
  baseUrl: string;
  authToken: string;
  from: string;
  to: string;
  body: string;
  /** Defaults to a fresh SM... id; reuse one to replay a delivery. */
  sid?: string;
  /** Post somewhere other than `baseUrl` (e.g. localhost behind a proxy) while signing for `baseUrl`. */
  postTo?: string;
}

export const newMessageSid = () => `SM${randomBytes(16).toString('hex')}`;

/** The form Twilio posts for an inbound text. */
export function inboundForm(sms: Pick<SimulatedSms, 'from' | 'to' | 'body'> & { sid: string }): Record<string, string> {
  return { MessageSid: sms.sid, SmsSid: sms.sid, AccountSid: 'AC00000000000000000000000000000000', From: sms.from, To: sms.to, Body: sms.body, NumMedia: '0', NumSegments: '1' };
}

/** Posts a text to /api/sms signed exactly as Twilio signs it (twilio's own signature function). */
export async function postInboundSms(sms: SimulatedSms): Promise<Response> {
  const form = inboundForm({ ...sms, sid: sms.sid ?? newMessageSid() });
  const signature = twilio.getExpectedTwilioSignature(sms.authToken, `${sms.baseUrl}/api/sms`, form);
  return fetch(`${sms.postTo ?? sms.baseUrl}/api/sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(form).toString(),
  });
}
