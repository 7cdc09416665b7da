/**
 * The codes Cognito e-mails — one confirms an address, one resets a password — and how a code is
 * refused: wrong, expired or used already, each a 400 that says which (the field error's message
 * is the machine-readable part). Pure domain: no AWS types.
 *
 * Cognito expires its codes (24 h for an address, 1 h for a reset) and takes each once;
 * cognito-local does neither, so the profile remembers when a code was sent and the digest of the
 * reset code used last, and the same rules hold offline.
 */
import { createHash } from 'node:crypto';
import { codeLifetimeSeconds } from '../identity.ts';
import { ValidationError } from '../shared/errors.ts';

export enum CodeRefusal {
  Wrong = 'wrong',
  Expired = 'expired',
  Used = 'used',
}

const DETAILS: Record<CodeRefusal, string> = {
  [CodeRefusal.Wrong]: 'The code is wrong: check it against the latest e-mail, or ask for a new one.',
  [CodeRefusal.Expired]: 'The code has expired: ask for a new one.',
  [CodeRefusal.Used]: 'The code has been used already.',
};

export function codeRefused(refusal: CodeRefusal, detail = DETAILS[refusal]): ValidationError {
  return new ValidationError(detail, [{ path: 'body.code', message: refusal }]);
}

export type CodePurpose = keyof typeof codeLifetimeSeconds;

/** Whether a code sent at `sentAt` (epoch seconds) has expired by `now`. */
export function codeExpired(purpose: CodePurpose, sentAt: number | undefined, now: number): boolean {
  return sentAt === undefined || now - sentAt > codeLifetimeSeconds[purpose];
}

/** A used code, kept by a short digest (the profile stays small, and keeps no code). */
export function codeDigest(code: string): string {
  return createHash('sha256').update(code).digest('base64url').slice(0, 16);
}
