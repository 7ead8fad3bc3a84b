import type { Request, Response } from 'restify';
import type { Clock } from '../ports/clock.js';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimitOptions {
  /** Requests allowed per window for one key; also the burst a quiet key may spend at once. */
  limit: number;
  windowMs: number;
  clock: Clock;
  /** Keys remembered at most; past it the least recently seen key is forgotten (memory stays bounded under a spoofed-key flood). */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * An in-memory token bucket per key (an IP address, a conversation, a phone number): each key
 * may spend `limit` requests at once and earns them back evenly over `windowMs`. It holds at most
 * `maxKeys` keys, so a flood of distinct keys costs bounded memory. Per process: a restart
 * forgets the counts, which is acceptable for flood control (the per-account limits that guard
 * codes and sends live in the store and survive restarts).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.limit >= 1) || !(options.windowMs >= 1)) throw new RangeError('a rate limit needs limit >= 1 and windowMs >= 1');
    this.perMs = options.limit / options.windowMs;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Counts one request for `key`, or says how many seconds until one would be allowed. */
  take(key: string): RateDecision {
    const now = this.options.clock.now();
    const { limit } = this.options;
    const found = this.buckets.get(key);
    const bucket = found ?? { tokens: limit, at: now };
    bucket.tokens = Math.min(limit, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
    bucket.at = now;
    // Re-inserted on every request, so the Map's first key is the least recently seen one.
    if (found) this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /** Keys held now (for tests and metrics). */
  size(): number {
    return this.buckets.size;
  }
}

/**
 * The client's address: the socket's peer, or, behind `trustedProxyHops` reverse proxies, the
 * address that many hops from the right of X-Forwarded-For (the part a client cannot forge).
 */
export function clientAddress(req: Request, trustedProxyHops: number): string {
  const peer = req.socket?.remoteAddress ?? 'unknown';
  if (trustedProxyHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Fewer entries than proxies: the request did not come through them all; trust only the socket.
  return hops.length >= trustedProxyHops ? hops[hops.length - trustedProxyHops]! : peer;
}

/** A limiter's refusal: how long until a request would be allowed. */
export type RateRefusal = Extract<RateDecision, { allowed: false }>;

/**
 * Why a request was refused: a sentence for JSON endpoints, or a page for browsers, built from
 * the seconds to wait (with the page's own headers, and no body for HEAD).
 */
export type TooManyReason = string | { html: (retryAfterSeconds: number) => string; headers?: Readonly<Record<string, string>>; head?: boolean };

/**
 * The one way a rate limit refuses over HTTP: status 429, `Retry-After` with the limiter's real
 * wait in whole seconds, and a short reason (JSON `{ code: 'TooManyRequests', message }` naming the
 * same seconds, or the page).
 */
export function sendTooMany(res: Response, refusal: RateRefusal, reason: TooManyReason): void {
  const seconds = refusal.retryAfterSeconds;
  res.setHeader('Retry-After', String(seconds));
  if (typeof reason === 'string') {
    res.send(429, { code: 'TooManyRequests', message: `${reason} Try again in ${seconds} s.` });
    return;
  }
  const html = reason.html(seconds);
  res.writeHead(429, { ...reason.headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
  res.end(reason.head ? undefined : html);
}
