/**
 * The CloudFront WebACL's per-address rate rules (lib/edge-limits.ts), offline: a request past a
 * rule's limit within its window gets the rule's custom 429 before any route runs. WAF counts over
 * a sliding window and acts within seconds of the limit being passed
 * (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html);
 * this counts exactly, so it refuses at least what WAF refuses.
 *
 * `exempt` lists client addresses the rules skip (an IP set excepted in a scope-down statement, in
 * WAF terms): the test suite's own client, which signs up hundreds of users from one address.
 */
import type { EdgeLimit } from '#lib/edge-limits.ts';

export interface EdgeRateLimit {
  /** Seconds to wait when the request is over a limit; undefined when it may go on. */
  check(method: string, path: string, clientAddress: string, nowMs?: number): number | undefined;
}

export function edgeRateLimit(rules: readonly EdgeLimit[], exempt: readonly string[] = []): EdgeRateLimit {
  const seen = new Map<string, number[]>();
  const normalize = (address: string) => address.replace(/^::ffff:/, '');
  const exempted = new Set(exempt.map(normalize));
  return {
    check(method, path, clientAddress, nowMs = Date.now()) {
      const address = normalize(clientAddress);
      if (exempted.has(address)) return undefined;
      for (const rule of rules) {
        if (rule.method !== method || rule.path !== path) continue;
        const key = `${rule.name} ${address}`;
        const windowStart = nowMs - rule.windowSeconds * 1000;
        const times = (seen.get(key) ?? []).filter((time) => time > windowStart);
        if (times.length >= rule.limit) {
          seen.set(key, times);
          return Math.max(1, Math.ceil((times[0]! - windowStart) / 1000));
        }
        times.push(nowMs);
        seen.set(key, times);
      }
      // Addresses that went quiet are forgotten, so the map holds only the current windows.
      if (seen.size > 10_000) {
        for (const [key, times] of seen) if (times.at(-1)! < nowMs - 600_000) seen.delete(key);
      }
      return undefined;
    },
  };
}
