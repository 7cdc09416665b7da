/**
 * An authenticator app, as a test holds one: RFC 6238 codes (HMAC-SHA-1, 6 digits, 30 s steps)
 * from the base32 secret Cognito hands out. Written here from the RFC so the tests don't share
 * cognito-local's own implementation. A code is taken once (RFC 6238 §5.2), so each use asks for
 * a code no one used yet: the current step's first, then the neighbouring steps the verifier
 * tolerates (one either side).
 */
import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(secret: string): Buffer {
  let bits = '';
  for (const char of secret.replace(/=+$/, '').toUpperCase()) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new Error(`Not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((byte) => parseInt(byte, 2)));
}

/** RFC 4226 HOTP of counter `step` (RFC 6238: the step is floor(unix time / 30)). */
export function totpAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

export const currentStep = (now = Date.now()) => Math.floor(now / 30_000);

/** How long before its step ends a previous step's code is still handed out: it must reach the verifier in time. */
const PREVIOUS_STEP_MARGIN_MS = 8_000;

/**
 * An authenticator app holding `secret`: each `code()` is one not handed out before, and still
 * good when it reaches the verifier (±1 step around its own 30 s): the current step's, then the
 * next step's, then the previous step's while more than 8 s of the step remain; else it waits
 * for the next step (at most those 8 s).
 */
export function authenticatorApp(secret: string) {
  const given = new Set<string>();
  const take = (code: string) => (given.has(code) ? undefined : (given.add(code), code));
  return {
    secret,
    async code(): Promise<string> {
      for (;;) {
        const now = Date.now();
        const step = currentStep(now);
        const fresh = take(totpAt(secret, step)) ?? take(totpAt(secret, step + 1));
        if (fresh) return fresh;
        const left = (step + 1) * 30_000 - now;
        if (left > PREVIOUS_STEP_MARGIN_MS) {
          const previous = take(totpAt(secret, step - 1));
          if (previous) return previous;
        }
        await new Promise((resolve) => setTimeout(resolve, left + 50));
      }
    },
  };
}
