/**
 * The local S3: fauxqs (an S3 emulator: objects, ranged GETs, CopyObject, DeleteObject; kept in
 * the data folder when there is one) behind a front on 127.0.0.1 that does what fauxqs doesn't and
 * AWS does, so nothing works here that S3 would refuse:
 *
 * - a presigned POST is checked as S3 checks it: the SigV4 signature of its policy, its expiry,
 *   every condition (exact fields, `starts-with`, `content-length-range`), no form field the policy
 *   doesn't name, `file` last; then the object is stored and an "Object Created" event goes to the
 *   check function, as EventBridge delivers S3's (at least once: a failed run is retried);
 * - a presigned GET is checked (signature, X-Amz-Expires) and answered with its `response-*`
 *   overrides (Content-Type, Content-Disposition), as S3 answers one;
 * - the SDK calls of the functions must be signed with the runtime's credentials (their IAM grants
 *   are checked in-process: local/iam.ts);
 * - browsers get the bucket's CORS rules (lib/attachments-cors.ts), nothing else: any other request
 *   is AccessDenied.
 *
 * What it does not do: lifecycle rules (stored, never run: the functions refuse what the rules would
 * have deleted, from their own records), encryption at rest, versioning.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ATTACHMENTS_CORS } from '#lib/attachments-cors.ts';
import { amzDate, mayBeSignedBy } from './sigv4.ts';
import type { LocalCredentials } from './credentials.ts';

export interface LocalS3Options {
  port: number;
  bucket: string;
  credentials: LocalCredentials;
  /** Origins the bucket's CORS rules admit (the web app's). */
  allowOrigins: readonly string[];
  /** Keep objects here across restarts; in memory when absent. */
  dataDir?: string;
  /** After an object is stored by a browser's POST: S3's event (best-effort, at least once). */
  onObjectCreated: (object: { bucket: string; key: string; size: number }) => Promise<void>;
  log: (message: string, error?: unknown) => void;
}

export interface LocalS3 {
  endpoint: string;
  stop(): Promise<void>;
}

/** S3 refuses a POST body past 5 GB; the policy's range decides sooner. Past this, the front stops reading. */
const MAX_POST_BYTES = 20 * 1024 * 1024;
/** Form fields S3 never asks the policy to name. */
const UNCHECKED_FIELDS = new Set(['policy', 'x-amz-signature', 'file']);

class S3Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const xmlEscape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  // Loaded here, not at the top: fauxqs needs node:sqlite (Node 22.5+), and an older Node must
  // reach the start's own version check (local/node-version.ts) before any import fails.
  const { startFauxqs } = await import('fauxqs');
  const emulator = await startFauxqs({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    ...(options.dataDir
      ? { dataDir: join(options.dataDir, 'fauxqs'), s3StorageDir: join(options.dataDir, 'objects') }
      : {}),
  });
  emulator.createBucket(options.bucket);
  const emulatorUrl = emulator.address;

  const corsHeaders = (req: IncomingMessage): Record<string, string> => {
    const origin = req.headers.origin;
    return origin && options.allowOrigins.includes(origin)
      ? {
          'access-control-allow-origin': origin,
          'access-control-expose-headers': ATTACHMENTS_CORS.exposedHeaders.join(', '),
          vary: 'Origin',
        }
      : {};
  };
  const refuse = (req: IncomingMessage, res: ServerResponse, refusal: S3Refusal) => {
    res.writeHead(refusal.status, { 'content-type': 'application/xml', ...corsHeaders(req) });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${xmlEscape(refusal.message)}</Message></Error>`,
    );
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof S3Refusal) return refuse(req, res, error);
      options.log('The local S3 failed a request', error);
      if (!res.headersSent) refuse(req, res, new S3Refusal(500, 'InternalError', 'We encountered an internal error.'));
      else res.destroy();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const [, bucket, ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    if (req.method === 'OPTIONS') return preflight(req, res);
    if (req.headers.authorization) {
      if (!mayBeSignedBy(req, options.credentials, 's3'))
        throw new S3Refusal(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match.');
      return proxy(req, res, url.pathname + url.search);
    }
    if (bucket !== options.bucket) throw new S3Refusal(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (req.method === 'POST' && keyParts.length === 0) return postObject(req, res);
    if ((req.method === 'GET' || req.method === 'HEAD') && url.searchParams.has('X-Amz-Signature'))
      return presignedGet(req, res, url, key);
    throw new S3Refusal(403, 'AccessDenied', 'Access Denied');
  };

  /** CORS, as the bucket's rules answer a preflight: an admitted origin, method and headers, or 403. */
  const preflight = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin ?? '';
    const method = String(req.headers['access-control-request-method'] ?? '');
    if (!options.allowOrigins.includes(origin) || !ATTACHMENTS_CORS.allowedMethods.includes(method as never))
      throw new S3Refusal(403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed.');
    res.writeHead(200, {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': method,
      ...(req.headers['access-control-request-headers']
        ? { 'access-control-allow-headers': String(req.headers['access-control-request-headers']) }
        : {}),
      'access-control-max-age': String(ATTACHMENTS_CORS.maxAgeSeconds),
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
    res.end();
  };

  const readBody = async (req: IncomingMessage, limit: number): Promise<Buffer> => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) throw new S3Refusal(400, 'MaxPostPreDataLengthExceeded', 'Your POST request is too large.');
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > limit) throw new S3Refusal(400, 'MaxPostPreDataLengthExceeded', 'Your POST request is too large.');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  };

  const postObject = async (req: IncomingMessage, res: ServerResponse) => {
    const contentType = String(req.headers['content-type'] ?? '');
    if (!contentType.startsWith('multipart/form-data'))
      throw new S3Refusal(412, 'PreconditionFailed', 'Bucket POST must be of the enclosure-type multipart/form-data');
    const body = await readBody(req, MAX_POST_BYTES);
    let form: FormData;
    try {
      form = await new Request('http://local/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      }).formData();
    } catch {
      throw new S3Refusal(
        400,
        'MalformedPOSTRequest',
        'The body of your POST request is not well-formed multipart/form-data.',
      );
    }
    const names = [...form.keys()];
    const file = form.get('file');
    if (!(file instanceof Blob))
      throw new S3Refusal(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
    if (names.at(-1) !== 'file')
      throw new S3Refusal(
        400,
        'InvalidArgument',
        'The file must be the last field of the form (S3 ignores what follows it).',
      );
    const fields = new Map<string, string>();
    for (const [name, value] of form) if (typeof value === 'string') fields.set(name.toLowerCase(), value);
    const policy = checkPolicySignature(fields);
    checkConditions(policy, fields, file.size);
    const key = fields.get('key')!;
    const bytes = Buffer.from(await file.arrayBuffer());
    const stored = await fetch(`${emulatorUrl}/${options.bucket}/${encodeKey(key)}`, {
      method: 'PUT',
      headers: {
        'content-type': fields.get('content-type') ?? 'binary/octet-stream',
        'content-length': String(bytes.length),
      },
      body: bytes,
    });
    if (!stored.ok) throw new Error(`fauxqs refused the object: ${stored.status} ${await stored.text()}`);
    res.writeHead(204, {
      etag: stored.headers.get('etag') ?? '',
      location: `/${options.bucket}/${encodeKey(key)}`,
      ...corsHeaders(req),
    });
    res.end();
    deliverEvent({ bucket: options.bucket, key, size: bytes.length });
  };

  /** As EventBridge: after the upload's answer, retried with a growing wait when the function fails. */
  const deliverEvent = (object: { bucket: string; key: string; size: number }) => {
    void (async () => {
      for (let attempt = 1; attempt <= 4; attempt++) {
        try {
          await options.onObjectCreated(object);
          return;
        } catch (error) {
          if (attempt === 4) options.log(`The check of ${object.key} failed 4 times; it stays unchecked`, error);
          else await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
        }
      }
    })();
  };

  /** The policy, once its signature (SigV4, service s3, with the runtime's credentials) holds. */
  const checkPolicySignature = (fields: Map<string, string>) => {
    const encoded = fields.get('policy');
    const credential = fields.get('x-amz-credential') ?? '';
    const signature = fields.get('x-amz-signature') ?? '';
    if (!encoded || fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256' || !signature)
      throw new S3Refusal(
        403,
        'AccessDenied',
        'Invalid according to Policy: Policy Condition failed: missing signature fields',
      );
    const [accessKeyId, date, region, service] = credential.split('/');
    if (accessKeyId !== options.credentials.accessKeyId || service !== 's3' || !date || !region)
      throw new S3Refusal(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    const expected = hmacHex(signingKey(options.credentials.secretAccessKey, date, region), encoded);
    if (!sameText(expected, signature))
      throw new S3Refusal(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    let policy: { expiration?: string; conditions?: unknown[] };
    try {
      policy = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    } catch {
      throw new S3Refusal(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
    }
    if (!policy.expiration || !(Date.parse(policy.expiration) > Date.now()))
      throw new S3Refusal(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
    return policy;
  };

  const checkConditions = (policy: { conditions?: unknown[] }, fields: Map<string, string>, fileSize: number) => {
    const named = new Set<string>(['bucket']);
    const failed = (what: string) =>
      new S3Refusal(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ${what}`);
    const valueOf = (name: string) => (name === 'bucket' ? options.bucket : fields.get(name));
    for (const condition of policy.conditions ?? []) {
      if (Array.isArray(condition)) {
        const [operator, first, second] = condition as [string, unknown, unknown];
        if (operator === 'content-length-range') {
          if (fileSize < Number(first))
            throw new S3Refusal(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size');
          if (fileSize > Number(second))
            throw new S3Refusal(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
          continue;
        }
        const name = String(first).replace(/^\$/, '').toLowerCase();
        named.add(name);
        const value = valueOf(name) ?? '';
        if (operator === 'eq' && value !== String(second)) throw failed(`["eq", "$${name}", "${String(second)}"]`);
        if (operator === 'starts-with' && !value.startsWith(String(second)))
          throw failed(`["starts-with", "$${name}", "${String(second)}"]`);
        if (operator !== 'eq' && operator !== 'starts-with') throw failed(`unknown operator ${operator}`);
      } else if (condition && typeof condition === 'object') {
        for (const [name, expected] of Object.entries(condition)) {
          named.add(name.toLowerCase());
          if (valueOf(name.toLowerCase()) !== String(expected))
            throw failed(`["eq", "$${name}", "${String(expected)}"]`);
        }
      }
    }
    const extra = [...fields.keys()].filter(
      (name) => !UNCHECKED_FIELDS.has(name) && !name.startsWith('x-ignore-') && !named.has(name),
    );
    if (extra.length)
      throw new S3Refusal(403, 'AccessDenied', `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
    if (!fields.get('key'))
      throw new S3Refusal(400, 'InvalidArgument', "Bucket POST must contain a field named 'key'.");
  };

  const presignedGet = async (req: IncomingMessage, res: ServerResponse, url: URL, key: string) => {
    const query = url.searchParams;
    const [accessKeyId, date, region, service] = (query.get('X-Amz-Credential') ?? '').split('/');
    const signedDate = query.get('X-Amz-Date') ?? '';
    const expires = Number(query.get('X-Amz-Expires'));
    const signedAt = amzDate(signedDate)?.getTime() ?? Number.NaN;
    if (accessKeyId !== options.credentials.accessKeyId || service !== 's3' || !date || !region)
      throw new S3Refusal(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    if (!Number.isInteger(expires) || expires < 1 || expires > 604_800 || Number.isNaN(signedAt))
      throw new S3Refusal(
        400,
        'AuthorizationQueryParametersError',
        'X-Amz-Expires must be between 1 and 604800 seconds.',
      );
    if (Date.now() > signedAt + expires * 1000) throw new S3Refusal(403, 'AccessDenied', 'Request has expired');
    const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? 'host').split(';');
    const canonicalQuery = [...query]
      .filter(([name]) => name !== 'X-Amz-Signature')
      .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
      .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
      .map(([name, value]) => `${name}=${value}`)
      .join('&');
    const headerValue = (name: string) =>
      String(req.headers[name] ?? '')
        .trim()
        .replace(/\s+/g, ' ');
    const canonicalRequest = [
      req.method,
      url.pathname,
      canonicalQuery,
      signedHeaders.map((name) => `${name}:${headerValue(name)}\n`).join(''),
      signedHeaders.join(';'),
      'UNSIGNED-PAYLOAD',
    ].join('\n');
    const scope = `${date}/${region}/s3/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', signedDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const expected = hmacHex(signingKey(options.credentials.secretAccessKey, date, region), stringToSign);
    if (!sameText(expected, query.get('X-Amz-Signature') ?? ''))
      throw new S3Refusal(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    const stored = await fetch(`${emulatorUrl}/${options.bucket}/${encodeKey(key)}`, { method: req.method });
    if (stored.status === 404) throw new S3Refusal(404, 'NoSuchKey', 'The specified key does not exist.');
    if (!stored.ok) throw new Error(`fauxqs answered ${stored.status}`);
    // S3's response overrides, allowed on signed requests only (as this is).
    const headers: Record<string, string> = {
      'content-type': query.get('response-content-type') ?? stored.headers.get('content-type') ?? 'binary/octet-stream',
      'content-length': stored.headers.get('content-length') ?? '0',
      etag: stored.headers.get('etag') ?? '',
      'last-modified': stored.headers.get('last-modified') ?? '',
      ...corsHeaders(req),
    };
    const disposition = query.get('response-content-disposition');
    if (disposition) headers['content-disposition'] = disposition;
    const cacheControl = query.get('response-cache-control');
    if (cacheControl) headers['cache-control'] = cacheControl;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(await stored.arrayBuffer()));
  };

  /** A function's SDK call, passed on as it came (fauxqs reads the signature's region, nothing more). */
  const proxy = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, MAX_POST_BYTES);
    const headers = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([name]) => name !== 'host' && name !== 'connection')
        .map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]),
    );
    const answer = await fetch(`${emulatorUrl}${path}`, { method: req.method!, headers, ...(body ? { body } : {}) });
    const passed: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (name !== 'transfer-encoding' && name !== 'connection' && name !== 'keep-alive') passed[name] = value;
    });
    res.writeHead(answer.status, passed);
    res.end(Buffer.from(await answer.arrayBuffer()));
  };

  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}`;
  return {
    endpoint,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await emulator.stop();
    },
  };
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');
const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();
const hmacHex = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');
const signingKey = (secret: string, date: string, region: string) =>
  hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
