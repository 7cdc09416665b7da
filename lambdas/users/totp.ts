/**
 * Two-factor sign-in with an authenticator app (TOTP, RFC 6238). Cognito holds the secret and
 * checks the codes; here is what an app needs to add the account. Pure domain: no AWS types.
 */

/** The issuer an authenticator app shows beside the account's address. */
export const TOTP_ISSUER = 'Order Chat';

/**
 * The `otpauth://` URI (Google Authenticator's key URI format) a QR code carries: Cognito's codes
 * are 6 digits, SHA-1, every 30 seconds, the apps' defaults, written out all the same.
 */
export function totpUri(email: string, secret: string): string {
  const label = `${encodeURIComponent(TOTP_ISSUER)}:${encodeURIComponent(email)}`;
  const query = new URLSearchParams({ secret, issuer: TOTP_ISSUER, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}
