/**
 * CloudFront (with the WAF) adds this header with a secret value to every
 * request it forwards; requests that reach the execute-api URLs directly
 * lack it and are refused. Unset offline, where there is no CloudFront.
 */
import { timingSafeEqual } from 'node:crypto';
import { readEnv } from './env.ts';

export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

const env = readEnv({ ORIGIN_VERIFY_SECRET: { minLength: 16, optional: true } });

export function cameThroughCloudFront(headers: Record<string, string | undefined> | null | undefined): boolean {
  if (!env.ORIGIN_VERIFY_SECRET) return true;
  const value = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === ORIGIN_VERIFY_HEADER)?.[1];
  if (!value) return false;
  const expected = Buffer.from(env.ORIGIN_VERIFY_SECRET);
  const given = Buffer.from(value);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
