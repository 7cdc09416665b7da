/**
 * Checks that a request to the local @connections endpoint is signed the way the
 * AWS SDK signs it (SigV4, service execute-api) with the runtime's local
 * credentials: only the functions of this runtime can post to or cut a socket.
 * The signature is recomputed over exactly the headers the request says it signed.
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Data) =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: Data) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: Data) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** Parses `20261129T120000Z` (x-amz-date). */
export function amzDate(value: string | null | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

/**
 * What can be checked before the body is read: a SigV4 Authorization header naming these
 * credentials' access key and this service, dated within 15 minutes.
 */
export function mayBeSignedBy(
  req: IncomingMessage,
  credentials: { accessKeyId: string },
  service = 'execute-api',
): boolean {
  const match = AUTHORIZATION.exec(String(req.headers.authorization ?? ''));
  const signingDate = amzDate(req.headers['x-amz-date'] as string | undefined);
  return (
    match !== null &&
    signingDate !== undefined &&
    match[1] === credentials.accessKeyId &&
    match[4] === service &&
    Math.abs(Date.now() - signingDate.getTime()) <= 15 * 60_000
  );
}

export async function isSignedBy(
  req: IncomingMessage,
  body: Buffer,
  credentials: { accessKeyId: string; secretAccessKey: string },
  service = 'execute-api',
): Promise<boolean> {
  const match = AUTHORIZATION.exec(String(req.headers.authorization ?? ''));
  const signingDate = amzDate(req.headers['x-amz-date'] as string | undefined);
  if (!match || !signingDate) return false;
  const [, accessKeyId, , region, signedService, signedHeaders, signature] = match;
  if (accessKeyId !== credentials.accessKeyId || signedService !== service) return false;
  // A signature is good for 15 minutes, as in AWS.
  if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60_000) return false;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) {
    const value = req.headers[name];
    if (value === undefined) return false;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const [path, query] = (req.url ?? '/').split('?') as [string, string | undefined];
  const signer = new SignatureV4({ credentials, region: region!, service, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: String(req.headers.host ?? '').split(':')[0] ?? '',
      path,
      query: Object.fromEntries(new URLSearchParams(query ?? '')),
      headers,
      body,
    },
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
  return expected.length === 64 && timingSafeEqual(Buffer.from(expected), Buffer.from(signature!));
}
