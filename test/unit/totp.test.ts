// Unit: what an authenticator app reads from the QR code, and the notice an old address gets.
import { describe, expect, it } from 'vitest';
import { totpUri } from '#lambdas/users/totp.ts';
import { emailChangedNotice } from '#lambdas/users/user.ts';
import { totpAt } from '../support/totp.ts';

describe('two-factor set-up', () => {
  it('writes the key URI an authenticator app reads: issuer, account, secret, SHA-1, 6 digits, 30 s', () => {
    const uri = new URL(totpUri('ann+shop@example.com', 'JBSWY3DPEHPK3PXP'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Order Chat:ann+shop@example.com');
    expect(uri.pathname).not.toContain('+'); // a plus in the label is the address's, not a space
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: 'Order Chat',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  it('computes RFC 6238’s own test vectors (SHA-1, the first 6 of 8 digits’ worth)', () => {
    // RFC 6238 Appendix B: secret "12345678901234567890" (base32 below), T = 59 s → 94287082.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpAt(secret, Math.floor(59 / 30))).toBe('287082');
    expect(totpAt(secret, Math.floor(1111111109 / 30))).toBe('081804');
    expect(totpAt(secret, Math.floor(2000000000 / 30))).toBe('279037');
  });
});

describe('a new e-mail address', () => {
  it('tells the old address where the account went, and what to do if it was not them', () => {
    const notice = emailChangedNotice('old@example.com', 'new@example.com');
    expect(notice.to).toBe('old@example.com');
    expect(notice.text).toContain('new@example.com');
    expect(notice.text).toMatch(/did not make this change/);
  });
});
