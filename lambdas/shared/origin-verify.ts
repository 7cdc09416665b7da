/**
 * CloudFront (with the WAF) adds this header with a secret value to every
 * request it forwards; requests that reach the execute-api URLs directly
 * lack it and are refused. Unset offline, where there is no CloudFront.
 */
import { readEnv } from './env.ts';

export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

const env = /* @__PURE__ */ readEnv({ ORIGIN_VERIFY_SECRET: { minLength: 16, optional: true } });

export function cameThroughCloudFront(headers: Record<string, string | undefined> | null | undefined): boolean {
  if (!env.ORIGIN_VERIFY_SECRET) return true;
  const value = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === ORIGIN_VERIFY_HEADER)?.[1];
  if (!value) return false;
  return sameInConstantTime(value, env.ORIGIN_VERIFY_SECRET);
}

/**
 * Compares every character whatever the first difference, so the time taken says nothing about
 * how much of the secret a guess got right (only its length, which is no secret). Written out
 * rather than node:crypto's timingSafeEqual: loading node:crypto is most of the origin gate's
 * cold start, and the gate runs before every uncached public request.
 */
function sameInConstantTime(given: string, expected: string): boolean {
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}
