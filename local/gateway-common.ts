import { randomBytes } from 'node:crypto';
import { DEFAULT_TIMEOUT_SECONDS, type Permissions } from '#lambdas/routes.ts';

/** A route as a local gateway runs it: the function it invokes, with that function's settings. */
export interface GatewayRoute {
  handler: string;
  /** Integration timeout (DEFAULT_TIMEOUT_SECONDS when absent). */
  timeoutSeconds?: number;
  /** The function's IAM grants, enforced on its AWS calls (local/iam.ts); absent: not enforced. */
  permissions?: Permissions;
}

/** How long the gateway waits for a route's function, capped at the gateway's own limit. */
export const integrationTimeoutMs = (route: GatewayRoute, maxMs: number) =>
  Math.min((route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000, maxMs);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's CLF time, always UTC: "21/Apr/2020:15:08:21 +0000". */
export function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Short base64 ids like API Gateway's request ids ("LV7fzho-PHcEJPw=") and connection ids. */
export function gatewayId(): string {
  return randomBytes(11).toString('base64').replace(/\//g, '-').replace(/\+/g, '_');
}

/** Token bucket for stage throttling: `rate` tokens a second, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * The stage's throttle, as API Gateway applies it: the stage's default route settings
 * (ThrottlingRateLimit, ThrottlingBurstLimit) are a bucket for each route, not one for the stage,
 * so a flood of one route leaves the others their own
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html, "Route-level
 * throttling"; the same for WebSocket APIs' DefaultRouteSettings).
 */
export function routeThrottle(settings: { rateLimit: number; burstLimit: number }) {
  const buckets = new Map<string, TokenBucket>();
  return {
    take(routeKey: string): boolean {
      let bucket = buckets.get(routeKey);
      if (!bucket) buckets.set(routeKey, (bucket = new TokenBucket(settings.rateLimit, settings.burstLimit)));
      return bucket.take();
    },
  };
}

export type RouteThrottle = ReturnType<typeof routeThrottle>;

/** CORS allow-list matching: exact origins, `*`, and `https://*`-style scheme wildcards. */
export function originAllowed(allowOrigins: readonly string[], origin: string): boolean {
  return allowOrigins.some((allowed) => {
    if (allowed === '*' || allowed === origin) return true;
    if (allowed.endsWith('://*')) return origin.startsWith(allowed.slice(0, -1));
    return false;
  });
}
