import type { Activity, ConfigurationBotFrameworkAuthentication, TurnContext } from 'botbuilder';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

const VERIFIED = Symbol('botFrameworkTokenVerified');

/** Marks a turn whose request carried a Bot Framework token this bot verified (set by the HTTP layer only). */
export function markTokenVerified(context: TurnContext): void {
  context.turnState.set(VERIFIED, true);
}

/** Whether this turn's request carried a Bot Framework token this bot verified; false for every other turn. */
export function isTokenVerified(context: TurnContext): boolean {
  return context.turnState.get(VERIFIED) === true;
}

/** Whether a request to /api/messages carries a valid Bot Framework token for this bot. */
export type BotTokenCheck = (activity: Activity, authorization: string) => Promise<boolean>;

/**
 * Checks the token before the SDK sees the request, so that a bad one is always a 401: the SDK
 * answers 500 (and prints a stack trace) when it cannot fetch the signing keys, and could wait on
 * an unreachable network. Tokens that cannot be right (malformed, expired, for another bot) are
 * refused without any network call, judged on the app's `clock` (so tests can move time); the rest
 * are verified by the SDK within `timeoutMs`, and refused if it has not answered by then.
 */
export function botTokenCheck(auth: Pick<ConfigurationBotFrameworkAuthentication, 'authenticateRequest'>, appId: string, logger: Logger, clock: Clock, timeoutMs = 10_000): BotTokenCheck {
  return async (activity, authorization) => {
    const problem = plausibilityProblem(authorization, appId, clock.now());
    if (problem) {
      logger.warn({ reason: problem }, 'refused an activity: no valid Bot Framework token');
      return false;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`token not verified within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([auth.authenticateRequest(activity, authorization), timeout]);
      return true;
    } catch (err) {
      logger.warn({ reason: (err as Error).message?.slice(0, 200) }, 'refused an activity: no valid Bot Framework token');
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Why a bearer token cannot be valid for `appId` at `now`, judged from its claims alone; undefined if it might be. */
export function plausibilityProblem(authorization: string, appId: string, now: number): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization.trim());
  if (!match) return 'not a bearer JWT';
  let header: { alg?: unknown };
  let claims: { aud?: unknown; exp?: unknown; nbf?: unknown };
  try {
    header = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(match[2]!, 'base64url').toString('utf8'));
  } catch {
    return 'not a bearer JWT';
  }
  if (header.alg !== 'RS256') return 'unexpected signing algorithm';
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.some((aud) => typeof aud === 'string' && (aud === appId || aud === `api://${appId}`))) return 'token is for another audience';
  const skewSeconds = 300;
  if (typeof claims.exp !== 'number' || claims.exp + skewSeconds < now / 1000) return 'token expired';
  if (typeof claims.nbf === 'number' && claims.nbf - skewSeconds > now / 1000) return 'token not valid yet';
  return undefined;
}
