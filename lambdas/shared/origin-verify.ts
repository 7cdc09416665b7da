/**
 * CloudFront (with the WAF) adds this header with a secret value to every
 * request it forwards; requests that reach the execute-api URLs directly
 * lack it and are refused. No secret offline, where there is no CloudFront.
 */
import { secretValues } from './secrets.ts';

export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

export async function cameThroughCloudFront(
  headers: Record<string, string | undefined> | null | undefined,
): Promise<boolean> {
  const secret = await secretValues('ORIGIN_VERIFY_SECRET');
  if (!secret) return true;
  const value = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === ORIGIN_VERIFY_HEADER)?.[1];
  if (!value) return false;
  // During a rotation CloudFront may still send the previous value until its redeploy.
  return secret.accepted.some((accepted) => sameInConstantTime(value, accepted));
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
