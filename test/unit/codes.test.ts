// Unit: when an e-mailed code counts as expired, and how a refusal reads.
import { describe, expect, it } from 'vitest';
import { codeLifetimeSeconds } from '#lambdas/identity.ts';
import { codeDigest, codeExpired, CodeRefusal, codeRefused } from '#lambdas/users/codes.ts';

describe('e-mailed codes', () => {
  it('hold for Cognito’s lifetimes: a day for an address, an hour for a password reset', () => {
    const sent = 1_000_000;
    expect(codeExpired('verifyEmail', sent, sent + codeLifetimeSeconds.verifyEmail)).toBe(false);
    expect(codeExpired('verifyEmail', sent, sent + codeLifetimeSeconds.verifyEmail + 1)).toBe(true);
    expect(codeExpired('resetPassword', sent, sent + 3600)).toBe(false);
    expect(codeExpired('resetPassword', sent, sent + 3601)).toBe(true);
    // No code sent (or the last one spent): nothing is due.
    expect(codeExpired('resetPassword', undefined, sent)).toBe(true);
  });

  it('says which way a code was refused, on the code field', () => {
    for (const refusal of [CodeRefusal.Wrong, CodeRefusal.Expired, CodeRefusal.Used]) {
      const error = codeRefused(refusal);
      expect(error.status).toBe(400);
      expect(error.errors).toEqual([{ path: 'body.code', message: refusal }]);
      expect(error.message.length).toBeGreaterThan(10);
    }
  });

  it('keeps a used code as a short digest, never the code', () => {
    expect(codeDigest('123456')).toHaveLength(16);
    expect(codeDigest('123456')).not.toContain('123456');
    expect(codeDigest('123456')).not.toBe(codeDigest('123457'));
  });
});
