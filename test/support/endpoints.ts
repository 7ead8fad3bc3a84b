/**
 * Every HTTP endpoint of the real server and the methods it answers, for the fuzzing, header and
 * method tests. A new endpoint is one more line here (e.g. `/api/sms`).
 */
export interface Endpoint {
  /** restify-style pattern; `:token` is filled with random text by the tests. */
  path: string;
  methods: readonly string[];
  /** Content types a real client sends to it (for requests with a body). */
  accepts?: readonly string[];
}

export const ENDPOINTS: readonly Endpoint[] = [
  { path: '/api/messages', methods: ['POST'], accepts: ['application/json'] },
  { path: '/reset/:token', methods: ['GET', 'HEAD', 'POST'], accepts: ['application/x-www-form-urlencoded'] },
  { path: '/unlock/:token', methods: ['GET', 'HEAD', 'POST'], accepts: ['application/x-www-form-urlencoded'] },
  { path: '/static/page.css', methods: ['GET', 'HEAD'] },
  { path: '/healthz', methods: ['GET', 'HEAD'] },
  { path: '/api/sms', methods: ['POST'], accepts: ['application/x-www-form-urlencoded'] },
  { path: '/api/sms/status', methods: ['POST'], accepts: ['application/x-www-form-urlencoded'] },
  { path: '/static/teams-page.js', methods: ['GET', 'HEAD'] },
  { path: '/static/pin-form.js', methods: ['GET', 'HEAD'] },
  { path: '/static/favicon.png', methods: ['GET', 'HEAD'] },
  { path: '/favicon.ico', methods: ['GET', 'HEAD'] },
];

export const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** The path of `endpoint` with its parameters filled in. */
export function concretePath(endpoint: Endpoint, token = 'A'.repeat(32)): string {
  return endpoint.path.replace(':token', token);
}
