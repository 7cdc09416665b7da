/**
 * Tamper-evident tokens: a JSON payload, base64url, and its HMAC-SHA256 with one of the stage's
 * secrets (`purpose` keeps one kind of token from passing for another). Made with the current key,
 * accepted with the previous one too while a rotation is under way.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretValues, type SecretName, type SecretValues } from './secrets.ts';

const mac = (key: string, payload: string, purpose: string) =>
  createHmac('sha256', key)
    .update(purpose ? `${purpose}:${payload}` : payload)
    .digest('base64url');

async function keysOf(secret: SecretName): Promise<SecretValues> {
  const keys = await secretValues(secret);
  if (!keys || keys.current.length < 32) throw new Error(`${secret} is missing or shorter than 32 characters`);
  return keys;
}

export async function signToken(payload: unknown, secret: SecretName, purpose = ''): Promise<string> {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encoded}.${mac((await keysOf(secret)).current, encoded, purpose)}`;
}

/** The payload of a token signed with `secret` for `purpose`; undefined for anything else. */
export async function readToken(token: string, secret: SecretName, purpose = ''): Promise<unknown> {
  const [encoded, signature] = token.split('.');
  if (!encoded || !signature) return undefined;
  const given = Buffer.from(signature);
  const signedWith = (key: string) => {
    const expected = Buffer.from(mac(key, encoded, purpose));
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  if (!(await keysOf(secret)).accepted.some(signedWith)) return undefined;
  return JSON.parse(Buffer.from(encoded, 'base64url').toString()) as unknown;
}
