import type twilioSdk from 'twilio';
import type { Request, Response, Server } from 'restify';
import type { TurnRunner } from '../../http/server.js';
import type { Services } from '../../services.js';
import { maskMobile } from '../../domain/contactFormats.js';
import { sendTooMany } from '../../http/rateLimit.js';
import { smsKeyword } from './keywords.js';
import type { SmsAdapter } from './smsAdapter.js';

const E164 = /^\+[1-9]\d{5,14}$/;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const UNDELIVERED = new Set(['failed', 'undelivered']);

type FormParams = Record<string, string | string[]>;

/** The form as Twilio signed it: every field, repeated ones as arrays (no nested-key parsing). */
function formParams(req: Request): FormParams | undefined {
  if (!req.is('application/x-www-form-urlencoded')) return undefined;
  const raw = (req as Request & { rawBody?: string | Buffer }).rawBody;
  const params: FormParams = {};
  for (const [key, value] of new URLSearchParams(raw === undefined ? '' : raw.toString())) {
    const had = params[key];
    params[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return params;
}

const field = (params: FormParams, name: string) => {
  const v = params[name];
  return typeof v === 'string' ? v : undefined;
};

/**
 * POST /api/sms (Twilio's messaging webhook) and POST /api/sms/status (its delivery callback).
 * Both must carry an X-Twilio-Signature made with TWILIO_AUTH_TOKEN over the public URL
 * (PUBLIC_BASE_URL + path; never rebuilt from request headers, which a proxy or an attacker sets).
 */
export function registerSmsRoutes(server: Server, services: Services, adapter: SmsAdapter, bot: TurnRunner): void {
  const { config, logger, audit } = services;
  const { deliveries, inboundLimit } = services.sms;

  /** The signed form, or undefined once a 4xx has been sent (logged without the body). */
  const signedForm = async (req: Request, res: Response, path: string): Promise<FormParams | undefined> => {
    const params = formParams(req);
    if (!params) {
      res.send(415, { code: 'UnsupportedMediaType', message: 'Send the Twilio webhook as application/x-www-form-urlencoded.' });
      return undefined;
    }
    const signature = req.header('x-twilio-signature');
    const token = config.TWILIO_AUTH_TOKEN;
    if (!token || !signature || !(await twilioLibrary()).validateRequest(token, signature, `${config.PUBLIC_BASE_URL}${path}`, params)) {
      const reason = !token ? 'TWILIO_AUTH_TOKEN is not set' : !signature ? 'unsigned' : 'signature does not match';
      logger.warn({ route: path, reason, remote: req.socket.remoteAddress }, 'Twilio webhook refused');
      res.send(403, { code: 'Forbidden', message: 'The X-Twilio-Signature header is missing or does not match.' });
      return undefined;
    }
    return params;
  };

  server.post('/api/sms', async (req: Request, res: Response) => {
    const params = await signedForm(req, res, '/api/sms');
    if (!params) return;
    const sid = field(params, 'MessageSid') ?? field(params, 'SmsSid');
    const from = field(params, 'From');
    const to = field(params, 'To') ?? '';
    const body = field(params, 'Body') ?? '';
    if (!sid || !from || !E164.test(from)) {
      res.send(400, { code: 'BadRequest', message: 'MessageSid and From (an E.164 number) are required.' });
      return;
    }
    const twiml = () => {
      res.setHeader('Content-Type', 'text/xml');
      res.sendRaw(200, EMPTY_TWIML);
    };
    // A replayed or retried delivery is answered and otherwise ignored.
    if (!(await deliveries.firstTime(sid))) return twiml();
    // Opting out always works; anything else counts against the number's hourly limit.
    const limit = smsKeyword(body) === 'opt-out' ? undefined : await inboundLimit.allow(from, { channel: 'sms' });
    if (limit && !limit.allowed) {
      logger.warn({ route: '/api/sms', from: maskMobile(from) }, 'SMS flood limit: text refused');
      sendTooMany(res, limit, 'Too many texts from this number.');
      return;
    }
    await adapter.processInbound({ sid, from, to, body }, (context) => bot.run(context));
    twiml();
  });

  server.post('/api/sms/status', async (req: Request, res: Response) => {
    const params = await signedForm(req, res, '/api/sms/status');
    if (!params) return;
    const sid = field(params, 'MessageSid') ?? field(params, 'SmsSid') ?? '';
    const status = field(params, 'MessageStatus') ?? field(params, 'SmsStatus') ?? '';
    const to = field(params, 'To') ?? '';
    if (UNDELIVERED.has(status) && E164.test(to) && (await deliveries.firstTime(`status:${sid}:${status}`))) {
      const codes = await services.codes.markUndeliveredTo(to);
      const uids = [...new Set(codes.map((c) => c.uid))];
      const detail = { to: maskMobile(to), status, errorCode: field(params, 'ErrorCode') ?? '', codes: codes.length };
      if (uids.length === 0) await audit.record('sms.undelivered', { channel: 'sms' }, 'fail', detail);
      for (const uid of uids) await audit.record('sms.undelivered', { channel: 'sms', uid }, 'fail', detail);
    }
    res.send(204);
  });
}

type TwilioSdk = typeof twilioSdk;
let twilioModule: Promise<TwilioSdk> | undefined;
/** The twilio SDK (its signature validator), loaded at the first webhook rather than at every start (~0.1 s). */
function twilioLibrary(): Promise<TwilioSdk> {
  return (twilioModule ??= import('twilio').then((m) => (m as unknown as { default: TwilioSdk }).default));
}
