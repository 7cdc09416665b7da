/**
 * Loaded into cognito-local's process (`node --require`), before it starts, to make it the
 * runtime's alone. cognito-local signs tokens with a private key shipped inside its npm package,
 * the same on every install (anyone could sign a token as any user), and answers any web page's
 * requests (`Access-Control-Allow-Origin: *`). Here:
 * - its signing key is one made for this data folder (COGNITO_LOCAL_KEY_FILE, readable by its
 *   owner only), put where cognito-local loads its own from;
 * - a browser request (one with an Origin header, or a preflight) is refused;
 * - every operation that AWS accepts only SigV4-signed (admin and pool management: all but the
 *   public ones a user calls with their own token or password) must be signed with the runtime's
 *   credentials (COGNITO_GUARD_ACCESS_KEY_ID, COGNITO_GUARD_SECRET), or it is refused as AWS
 *   refuses a bad signature;
 * - a sign-in's challenge session is answered once, by the user it was given to, within the app
 *   client's auth session validity (COGNITO_CHALLENGE_SESSION_SECONDS), and an authenticator
 *   app's code is taken once per user (RFC 6238 §5.2): cognito-local checks neither.
 * Both replace modules cognito-local requires (its key files, and `cors`, whose middleware runs
 * before its body parser), by seeding Node's module cache.
 */
'use strict';
const { createHash, createHmac, generateKeyPairSync, timingSafeEqual } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const Module = require('node:module');
const { SignatureV4 } = require('@smithy/signature-v4');

const libDir = join(dirname(process.env.COGNITO_LOCAL_ENTRY), '..');

function seed(filename, exports) {
  const module = new Module(filename);
  module.filename = filename;
  module.loaded = true;
  module.exports = exports;
  require.cache[filename] = module;
}

// The signing key: made once for the data folder. kid stays "CognitoLocal": cognito-local signs with that id.
function signingKey(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const made = {
      privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }),
      publicPem: publicKey.export({ type: 'pkcs1', format: 'pem' }),
      publicJwk: { ...publicKey.export({ format: 'jwk' }), use: 'sig', kid: 'CognitoLocal', alg: 'RS256' },
    };
    writeFileSync(file, JSON.stringify(made), { mode: 0o600 });
    return made;
  }
}
const key = signingKey(process.env.COGNITO_LOCAL_KEY_FILE);
seed(join(libDir, 'keys', 'cognitoLocal.private.json'), { pem: key.privatePem });
seed(join(libDir, 'keys', 'cognitoLocal.public.json'), { pem: key.publicPem, jwk: key.publicJwk });

/** What AWS takes without a signature: calls a user makes with their own password, code or token. */
const PUBLIC_OPERATIONS = new Set([
  'AssociateSoftwareToken',
  'ChangePassword',
  'ConfirmDevice',
  'ConfirmForgotPassword',
  'ConfirmSignUp',
  'DeleteUser',
  'DeleteUserAttributes',
  'ForgetDevice',
  'ForgotPassword',
  'GetDevice',
  'GetTokensFromRefreshToken',
  'GetUser',
  'GetUserAttributeVerificationCode',
  'GlobalSignOut',
  'InitiateAuth',
  'ListDevices',
  'ResendConfirmationCode',
  'RespondToAuthChallenge',
  'RevokeToken',
  'SetUserMFAPreference',
  'SetUserSettings',
  'SignUp',
  'UpdateDeviceStatus',
  'UpdateUserAttributes',
  'VerifySoftwareToken',
  'VerifyUserAttribute',
]);
/** Public operations whose requests (and answers) the challenge rules below read. */
const WATCHED_OPERATIONS = new Set(['InitiateAuth', 'RespondToAuthChallenge', 'VerifySoftwareToken']);
const MAX_BODY_BYTES = 1024 * 1024;
const credentials = {
  accessKeyId: process.env.COGNITO_GUARD_ACCESS_KEY_ID,
  secretAccessKey: process.env.COGNITO_GUARD_SECRET,
};

class Sha256 {
  constructor(secret) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

async function signedByRuntime(req, body) {
  const match = AUTHORIZATION.exec(String(req.headers.authorization ?? ''));
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(req.headers['x-amz-date'] ?? ''));
  if (!match || !date || match[1] !== credentials.accessKeyId || match[4] !== 'cognito-idp') return false;
  const signingDate = new Date(Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6]));
  if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60_000) return false;
  const headers = {};
  for (const name of match[5].split(';')) {
    if (req.headers[name] === undefined) return false;
    headers[name] = String(req.headers[name]);
  }
  const signer = new SignatureV4({ credentials, region: match[3], service: 'cognito-idp', sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: String(req.headers.host).split(':')[0],
      path: '/',
      query: {},
      headers,
      body,
    },
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? '';
  return expected.length === 64 && timingSafeEqual(Buffer.from(expected), Buffer.from(match[6]));
}

function refuse(res, status, type, message) {
  res
    .status(status)
    .type('application/x-amz-json-1.1')
    .send(JSON.stringify({ __type: type, message }));
}

function guard() {
  return (req, res, next) => {
    if (req.headers.origin !== undefined || req.method === 'OPTIONS') {
      return refuse(res, 403, 'AccessDeniedException', 'The local Cognito emulator takes no requests from web pages.');
    }
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const isPublic = PUBLIC_OPERATIONS.has(operation);
    if (req.method !== 'POST' || (isPublic && !WATCHED_OPERATIONS.has(operation))) return next();
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return refuse(res, 413, 'RequestEntityTooLarge', 'Request body too large');
      const body = Buffer.concat(chunks);
      (isPublic ? Promise.resolve(true) : signedByRuntime(req, body)).then(
        (signed) => {
          if (!signed) {
            return refuse(
              res,
              403,
              'UnrecognizedClientException',
              'The security token included in the request is invalid.',
            );
          }
          try {
            // cognito-local's body parser sees a finished request and keeps this body.
            req.body = JSON.parse(body.toString('utf8') || '{}');
          } catch {
            return refuse(res, 400, 'SerializationException', 'The request body is not JSON.');
          }
          const refusal = challengeRules(operation, req.body, res);
          if (refusal) return refuse(res, 400, refusal[0], refusal[1]);
          next();
        },
        (error) => next(error),
      );
    });
  };
}
seed(require.resolve('cors', { paths: [join(libDir, 'server')] }), guard);

const CHALLENGE_SESSION_MS = Number(process.env.COGNITO_CHALLENGE_SESSION_SECONDS ?? 180) * 1000;
/** A TOTP code is good for its 30 s step and one step either side (cognito-local's tolerance): 90 s at most. */
const CODE_MEMORY_MS = 120_000;
/** Challenge sessions handed out: session → { username asked with, user id, challenge, expiresAt }. */
const challenges = new Map();
/** Authenticator codes taken: `${userId}:${code}` → when the memory of it can go. */
const usedCodes = new Map();

function forgetExpired(now) {
  for (const [session, held] of challenges) if (held.expiresAt < now) challenges.delete(session);
  for (const [code, until] of usedCodes) if (until < now) usedCodes.delete(code);
}

/** False if this user's code was taken already; else it is taken now. */
function firstUse(userId, code, now) {
  const key = `${userId}:${code}`;
  if (usedCodes.has(key)) return false;
  usedCodes.set(key, now + CODE_MEMORY_MS);
  return true;
}

function subjectOf(token) {
  try {
    return JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString()).sub;
  } catch {
    return undefined;
  }
}

const INVALID_SESSION = ['NotAuthorizedException', 'Invalid session for the user, session is expired.'];
const CODE_MISMATCH = ['CodeMismatchException', 'Invalid code received for user'];

/** What AWS holds about challenges and codes and cognito-local doesn't: a refusal ([type, message]), or none. */
function challengeRules(operation, body, res) {
  const now = Date.now();
  forgetExpired(now);
  if (operation === 'InitiateAuth') {
    // The challenge's session is known from cognito-local's answer.
    const send = res.send.bind(res);
    res.send = (payload) => {
      try {
        const answer = JSON.parse(String(payload));
        if (answer.Session && answer.ChallengeName) {
          challenges.set(answer.Session, {
            username: body.AuthParameters?.USERNAME,
            userId: answer.ChallengeParameters?.USER_ID_FOR_SRP,
            challenge: answer.ChallengeName,
            expiresAt: now + CHALLENGE_SESSION_MS,
          });
        }
      } catch {
        // not JSON: an error answer, nothing to hold
      }
      return send(payload);
    };
    return undefined;
  }
  if (operation === 'RespondToAuthChallenge') {
    const held = challenges.get(body.Session);
    challenges.delete(body.Session); // answered once, rightly or not
    const responses = body.ChallengeResponses ?? {};
    if (!held || held.username !== responses.USERNAME || held.challenge !== body.ChallengeName) return INVALID_SESSION;
    const code = responses.SOFTWARE_TOKEN_MFA_CODE;
    if (code !== undefined && !firstUse(held.userId, code, now)) return CODE_MISMATCH;
    return undefined;
  }
  if (operation === 'VerifySoftwareToken' && body.UserCode !== undefined) {
    const userId = subjectOf(body.AccessToken);
    if (userId && !firstUse(userId, body.UserCode, now)) return CODE_MISMATCH;
  }
  return undefined;
}

/**
 * Cognito's e-mails go through SES. cognito-local only prints its codes; here its sender hands
 * each message to the local SES emulator instead (COGNITO_SES_ENDPOINT, the runtime's mailbox),
 * as Cognito does with a developer-sent e-mail configuration: from the pool's sender
 * (COGNITO_EMAIL_FROM), with the pool's verification message (COGNITO_EMAIL_SUBJECT, and
 * COGNITO_EMAIL_MESSAGE with `{####}` where the code goes), signed with the runtime's credentials.
 * A message SES refuses fails the call that sent it, as Cognito's do.
 */
class SesMessageSender {
  async sendEmail(_ctx, _user, destination, message) {
    // The SDK loads with the first e-mail, not while cognito-local starts.
    const { SESv2Client, SendEmailCommand } = require('@aws-sdk/client-sesv2');
    this.ses ??= new SESv2Client({ endpoint: process.env.COGNITO_SES_ENDPOINT, region: 'us-east-1', credentials });
    const fill = (template) => template.split('{####}').join(message.__code);
    await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: process.env.COGNITO_EMAIL_FROM,
        Destination: { ToAddresses: [destination] },
        Content: {
          Simple: {
            Subject: { Data: message.emailSubject ?? fill(process.env.COGNITO_EMAIL_SUBJECT) },
            Body: { Text: { Data: message.emailMessage ?? fill(process.env.COGNITO_EMAIL_MESSAGE) } },
          },
        },
      }),
    );
  }
  sendSms() {
    return Promise.reject(new Error('The pool sends no SMS'));
  }
}
if (process.env.COGNITO_SES_ENDPOINT) {
  seed(join(libDir, 'services', 'messageDelivery', 'consoleMessageSender.js'), {
    ConsoleMessageSender: SesMessageSender,
  });
}

/**
 * cognito-local hands out a refresh token when a challenge is answered but doesn't keep it, so
 * refreshing it fails; Cognito keeps it as it does a password sign-in's. Its RespondToAuthChallenge
 * is wrapped to keep it.
 */
/**
 * Runs `after` once cognito-local's operation `name` (its module under targets/) has answered,
 * before the answer goes out: cognito-local loads its targets after this file, and gets the wrapped one.
 */
function afterTarget(name, after) {
  const file = join(libDir, 'targets', `${name[0].toLowerCase()}${name.slice(1)}.js`);
  const target = require(file);
  require.cache[file].exports = {
    ...target,
    [name]: (services) => {
      const run = target[name](services);
      return async (ctx, req) => {
        const output = await run(ctx, req);
        await after(services, ctx, req, output);
        return output;
      };
    },
  };
}

afterTarget('RespondToAuthChallenge', async ({ cognito }, ctx, req, output) => {
  const refreshToken = output.AuthenticationResult?.RefreshToken;
  if (!refreshToken) return;
  const userPool = await cognito.getUserPoolForClientId(ctx, req.ClientId);
  const user = await userPool.getUserByUsername(ctx, req.ChallengeResponses.USERNAME);
  await userPool.storeRefreshToken(ctx, refreshToken, user);
});

/**
 * A pending change of e-mail address: Cognito e-mails its code to the new address (the old one
 * stays the account's until the code confirms it). cognito-local delivers it to the old one,
 * from the attributes before the change; here a code for a change goes to the address waiting.
 */
const messagesFile = join(libDir, 'services', 'messages.js');
const { MessagesService } = require(messagesFile);
const deliver = MessagesService.prototype.deliver;
MessagesService.prototype.deliver = function (ctx, source, clientId, userPoolId, user, code, meta, details) {
  const pending = user?.UnverifiedAttributeChanges?.find((attribute) => attribute.Name === 'email')?.Value;
  const to = source === 'UpdateUserAttribute' && pending ? { ...details, Destination: pending } : details;
  return deliver.call(this, ctx, source, clientId, userPoolId, user, code, meta, to);
};

/**
 * Cognito's UpdateUserPool sets `UserAttributeUpdateSettings` (which attributes wait for their
 * code before they change); cognito-local keeps it only from CreateUserPool, so a pool made before
 * it was asked for would change an address at once. Its UpdateUserPool is wrapped to keep it.
 */
afterTarget('UpdateUserPool', async ({ cognito }, ctx, req) => {
  if (!req.UserAttributeUpdateSettings) return;
  const userPool = await cognito.getUserPool(ctx, req.UserPoolId);
  await userPool.updateOptions(ctx, {
    ...userPool.options,
    UserAttributeUpdateSettings: req.UserAttributeUpdateSettings,
  });
});

/**
 * AdminSetUserMFAPreference (an admin turns a user's factors on or off: a customer who lost their
 * authenticator app) is not in cognito-local; here it is, as Cognito documents it for TOTP: turning
 * it on needs a verified app, turning it off leaves the app associated but asks for no code.
 */
const errors = require(join(libDir, 'errors.js'));
require(join(libDir, 'targets', 'targets.js')).Targets.AdminSetUserMFAPreference =
  ({ cognito }) =>
  async (ctx, req) => {
    const userPool = await cognito.getUserPool(ctx, req.UserPoolId);
    const user = await userPool.getUserByUsername(ctx, req.Username);
    if (!user) throw new errors.UserNotFoundError();
    const software = req.SoftwareTokenMfaSettings;
    if (req.SMSMfaSettings?.Enabled) throw new errors.InvalidParameterError('SMS MFA is not enabled for the pool');
    if (software?.Enabled && !user.SoftwareTokenMfaConfiguration?.Verified) {
      throw new errors.InvalidParameterError('User has not verified software token MFA');
    }
    const methods = new Set(user.UserMFASettingList ?? []);
    if (software?.Enabled) methods.add('SOFTWARE_TOKEN_MFA');
    else if (software) methods.delete('SOFTWARE_TOKEN_MFA');
    await userPool.saveUser(ctx, {
      ...user,
      UserMFASettingList: [...methods],
      PreferredMfaSetting: software?.PreferredMfa && software.Enabled ? 'SOFTWARE_TOKEN_MFA' : undefined,
    });
    return {};
  };
