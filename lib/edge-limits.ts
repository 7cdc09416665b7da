/**
 * Per-client limits at the edge, declared once: the CloudFront WebACL enforces them in AWS (rate-based
 * rules keyed on the viewer's address, lib/stacks/waf-stack.ts) and the local HTTP gateway offline
 * (local/http-gateway/edge-limits.ts). Per-user limits can't bound these requests: they come before
 * there is a user, and a new account multiplies every per-user limit.
 */
export interface EdgeLimit {
  /** The WAF rule's name and metric. */
  name: string;
  method: 'POST';
  path: string;
  /** Requests from one address in `windowSeconds` (WAF's minimum is 10). */
  limit: number;
  /** One of the evaluation windows WAF offers: 60, 120, 300 or 600 s. */
  windowSeconds: 60 | 120 | 300 | 600;
}

export const EDGE_LIMITS: readonly EdgeLimit[] = [
  // A person signs up once; a household or an office behind one address a few times.
  { name: 'SignUpPerIp', method: 'POST', path: '/auth/register', limit: 10, windowSeconds: 300 },
  // An office behind one address signing in at nine; a script guessing passwords gets 50 tries in 5 minutes.
  { name: 'SignInPerIp', method: 'POST', path: '/auth/login', limit: 50, windowSeconds: 300 },
  // Each signed-in tab refreshes every 14 minutes: an office of hundreds behind one address fits.
  { name: 'TokenRefreshPerIp', method: 'POST', path: '/auth/refresh', limit: 300, windowSeconds: 300 },
  // Codes: a person types one or two and asks for a new one now and then; per address the API counts too.
  { name: 'ConfirmEmailPerIp', method: 'POST', path: '/auth/confirm-email', limit: 30, windowSeconds: 300 },
  { name: 'ResendCodePerIp', method: 'POST', path: '/auth/confirm-email/resend', limit: 10, windowSeconds: 300 },
  { name: 'ForgotPasswordPerIp', method: 'POST', path: '/auth/forgot-password', limit: 10, windowSeconds: 300 },
  { name: 'TotpSignInPerIp', method: 'POST', path: '/auth/login/totp', limit: 30, windowSeconds: 300 },
  { name: 'ResetPasswordPerIp', method: 'POST', path: '/auth/reset-password', limit: 30, windowSeconds: 300 },
  // An e-mail's one-click unsubscribe: a mail client posts it once (maybe twice); no session bounds it.
  { name: 'UnsubscribePerIp', method: 'POST', path: '/notifications/unsubscribe', limit: 30, windowSeconds: 300 },
];

/**
 * The answer to a request over an edge limit: WAF's custom response, and the local gateway's. WAF
 * serves plain JSON (no problem+json), shaped like API Gateway's own answers ({ message }), with
 * Retry-After.
 */
export const EDGE_LIMIT_RESPONSE = {
  status: 429,
  contentType: 'application/json',
  body: JSON.stringify({ message: 'Too many requests from your address: wait a few minutes and try again.' }),
} as const;
