// Unit: identity handlers and use cases, with Cognito and DynamoDB mocked at the client boundary.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  InvalidPasswordException,
  LimitExceededException,
  NotAuthorizedException,
  RevokeTokenCommand,
  TooManyRequestsException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as register } from '#lambdas/handlers/http/auth-register.ts';
import { handler as loginHandler } from '#lambdas/handlers/http/auth-login.ts';
import { handler as refreshHandler } from '#lambdas/handlers/http/auth-refresh.ts';
import { handler as logoutHandler } from '#lambdas/handlers/http/auth-logout.ts';
import { handler as listUsers } from '#lambdas/handlers/http/users-list.ts';
import { handler as changeRole } from '#lambdas/handlers/http/users-change-role.ts';
import { handler as deleteUser } from '#lambdas/handlers/http/users-delete.ts';
import { sessionKey } from '#lambdas/users/user.ts';
import { ADMIN_ID, OTHER_ID, USER_ID, adminClaims, call, httpEvent, userClaims } from '../support/events.ts';

const cognito = mockClient(CognitoIdentityProviderClient);
const dynamo = mockClient(DynamoDBDocumentClient);

const meta = { $metadata: {} };
const cognitoError = <T>(Type: new (opts: any) => T, message = 'from Cognito') => new Type({ message, ...meta });

const profile = (id: string, role: 'ADMIN' | 'REGULAR', extra: Record<string, unknown> = {}) => ({
  pk: `USER#${id}`,
  sk: 'PROFILE',
  id,
  name: 'Someone',
  email: `${id.slice(0, 4)}@example.test`,
  role,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

const fakeJwt = (payload: Record<string, unknown>) =>
  `h.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.s`;

/** The failed sign-in counter of an address (lambdas/limits/sign-in-failures.ts). */
const failedSignInRead = { ProjectionExpression: '#n' };
const failedSignInCount = { UpdateExpression: 'ADD #n :one SET expiresAt = :expiresAt' };

beforeEach(() => {
  cognito.reset();
  dynamo.reset();
  // No open WebSocket connections unless a test says otherwise (closing them queries the user index).
  dynamo.on(QueryCommand, { IndexName: 'byUser' }).resolves({ Items: [], ...meta });
  // No failed sign-ins counted for any address unless a test says otherwise.
  dynamo.on(GetCommand, failedSignInRead).resolves({ ...meta });
  dynamo.on(UpdateCommand, failedSignInCount).resolves({ ...meta });
});
afterEach(() => {
  cognito.reset();
  dynamo.reset();
});

const registerBody = { name: 'Alice', email: 'Alice@Example.test', password: 'Str0ng!Passw0rd' };

describe('POST /auth/register', () => {
  const created = { User: { Username: USER_ID, Attributes: [{ Name: 'sub', Value: USER_ID }] }, ...meta };

  it('creates the account with an unconfirmed address, writes the profile, and has Cognito e-mail a code', async () => {
    cognito.on(AdminCreateUserCommand).resolves(created);
    cognito.on(AdminSetUserPasswordCommand).resolves(meta);
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: {
        AccessToken: fakeJwt({ sub: USER_ID }),
        IdToken: fakeJwt({ sub: USER_ID }),
        RefreshToken: 'refresh',
        ExpiresIn: 900,
      },
      ...meta,
    });
    cognito.on(GetUserAttributeVerificationCodeCommand).resolves(meta);
    cognito.on(RevokeTokenCommand).resolves(meta);
    dynamo.on(PutCommand).resolves(meta);
    const response = await call(register, httpEvent('POST /auth/register', { body: registerBody }));
    expect(response.statusCode).toBe(201);
    expect(response.json.user).toMatchObject({
      id: USER_ID,
      email: 'alice@example.test',
      role: 'REGULAR',
      emailConfirmed: false,
    });
    const put = dynamo.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({
      pk: `USER#${USER_ID}`,
      sk: 'PROFILE',
      gsi1pk: 'USERS',
      emailConfirmation: { codeSentAt: expect.any(Number) },
    });
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input).toMatchObject({
      Username: 'alice@example.test',
      MessageAction: 'SUPPRESS',
      UserAttributes: expect.arrayContaining([{ Name: 'email_verified', Value: 'false' }]),
    });
    expect(cognito.commandCalls(AdminSetUserPasswordCommand)[0]!.args[0].input.Permanent).toBe(true);
    expect(cognito.commandCalls(GetUserAttributeVerificationCodeCommand)[0]!.args[0].input).toMatchObject({
      AttributeName: 'email',
    });
    // The sign-in made only to send the code is let go.
    expect(cognito.commandCalls(RevokeTokenCommand)[0]!.args[0].input.Token).toBe('refresh');
  });

  it('answers 201 when the account is made but the code could not be sent (a new one can be asked for)', async () => {
    cognito.on(AdminCreateUserCommand).resolves(created);
    cognito.on(AdminSetUserPasswordCommand).resolves(meta);
    cognito.on(InitiateAuthCommand).rejects(cognitoError(TooManyRequestsException));
    dynamo.on(PutCommand).resolves(meta);
    const response = await call(register, httpEvent('POST /auth/register', { body: registerBody }));
    expect(response.statusCode).toBe(201);
  });

  it('removes the new account again when Cognito refuses the password', async () => {
    cognito.on(AdminCreateUserCommand).resolves(created);
    cognito.on(AdminSetUserPasswordCommand).rejects(cognitoError(InvalidPasswordException));
    cognito.on(AdminDeleteUserCommand).resolves(meta);
    const response = await call(register, httpEvent('POST /auth/register', { body: registerBody }));
    expect(response.statusCode).toBe(400);
    expect(cognito.commandCalls(AdminDeleteUserCommand)[0]!.args[0].input.Username).toBe(USER_ID);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('rolls the Cognito account back when the profile write fails, and answers a generic 500', async () => {
    cognito.on(AdminCreateUserCommand).resolves(created);
    cognito.on(AdminSetUserPasswordCommand).resolves(meta);
    cognito.on(AdminDeleteUserCommand).resolves(meta);
    dynamo.on(PutCommand).rejects(new Error('DynamoDB is down'));
    const response = await call(register, httpEvent('POST /auth/register', { body: registerBody }));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('DynamoDB is down');
    expect(cognito.commandCalls(AdminDeleteUserCommand)[0]!.args[0].input.Username).toBe(USER_ID);
  });

  it.each([
    [UsernameExistsException, 409],
    [TooManyRequestsException, 429],
    [LimitExceededException, 429],
  ])('maps %o to %i', async (Exception, status) => {
    cognito.on(AdminCreateUserCommand).rejects(cognitoError(Exception as any));
    // An address taken by a confirmed account stays taken.
    cognito.on(AdminGetUserCommand).resolves({
      Username: OTHER_ID,
      UserAttributes: [
        { Name: 'sub', Value: OTHER_ID },
        { Name: 'email_verified', Value: 'true' },
      ],
      ...meta,
    });
    const response = await call(register, httpEvent('POST /auth/register', { body: registerBody }));
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    if (status === 429) expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('POST /auth/login', () => {
  it.each([NotAuthorizedException, UserNotFoundException])('answers 401 with one message for %o', async (Exception) => {
    cognito.on(InitiateAuthCommand).rejects(cognitoError(Exception as any, 'Incorrect username or password.'));
    const response = await call(
      loginHandler,
      httpEvent('POST /auth/login', { body: { email: 'a@b.co', password: 'x' } }),
    );
    expect(response.statusCode).toBe(401);
    expect(response.json.detail).toBe('Incorrect email or password.');
  });

  it('counts each failure for the address, and past the limit refuses it with 429 without asking Cognito', async () => {
    cognito
      .on(InitiateAuthCommand)
      .rejects(cognitoError(NotAuthorizedException as any, 'Incorrect username or password.'));
    const attempt = () =>
      call(loginHandler, httpEvent('POST /auth/login', { body: { email: 'Victim@b.co', password: 'guess' } }));
    expect((await attempt()).statusCode).toBe(401);
    const counted = dynamo.commandCalls(UpdateCommand, failedSignInCount);
    expect(counted).toHaveLength(1);
    // The address is kept as a digest, whatever its case.
    expect(String(counted[0]!.args[0].input.Key!.pk)).toMatch(/^LIMIT#SIGNIN#[\w-]{43}$/);
    expect(JSON.stringify(counted[0]!.args[0].input)).not.toContain('victim');

    dynamo.on(GetCommand, failedSignInRead).resolves({ Item: { n: 10 }, ...meta });
    cognito.resetHistory();
    const refused = await attempt();
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(cognito.commandCalls(InitiateAuthCommand)).toHaveLength(0);
  });

  it('maps throttling to 429 with Retry-After', async () => {
    cognito.on(InitiateAuthCommand).rejects(cognitoError(TooManyRequestsException));
    const response = await call(
      loginHandler,
      httpEvent('POST /auth/login', { body: { email: 'a@b.co', password: 'x' } }),
    );
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBeDefined();
  });

  it('recreates a missing profile (an interrupted sign-up converges at sign-in)', async () => {
    const accessToken = fakeJwt({ sub: USER_ID, exp: Math.floor(Date.now() / 1000) + 900 });
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: {
        AccessToken: accessToken,
        IdToken: fakeJwt({ sub: USER_ID }),
        RefreshToken: 'r',
        ExpiresIn: 900,
      },
      ...meta,
    });
    dynamo
      .on(GetCommand, { Key: { pk: `USER#${USER_ID}`, sk: 'PROFILE' } })
      .resolvesOnce({ ...meta })
      .resolves({ Item: profile(USER_ID, 'REGULAR'), ...meta });
    dynamo.on(PutCommand).resolves(meta);
    // Its address was confirmed in Cognito before the sign-up was interrupted.
    cognito.on(AdminGetUserCommand).resolves({
      Username: USER_ID,
      UserAttributes: [
        { Name: 'sub', Value: USER_ID },
        { Name: 'email_verified', Value: 'true' },
      ],
      ...meta,
    });
    const response = await call(
      loginHandler,
      httpEvent('POST /auth/login', { body: { email: 'a@b.co', password: 'x' } }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: USER_ID } });
    // The profile, then its entry in the search by name.
    expect(dynamo.commandCalls(PutCommand).map((c) => c.args[0].input.Item!.sk)).toEqual(['PROFILE', 'NAME']);
  });
});

describe('POST /auth/refresh and /auth/logout', () => {
  it('answers 401 for a revoked or unknown refresh token', async () => {
    cognito.on(InitiateAuthCommand).rejects(cognitoError(NotAuthorizedException, 'Refresh Token has been revoked'));
    const response = await call(refreshHandler, httpEvent('POST /auth/refresh', { body: { refreshToken: 'r' } }));
    expect(response.statusCode).toBe(401);
  });

  it('refuses tokens of a deleted account', async () => {
    const accessToken = fakeJwt({ sub: USER_ID, exp: Math.floor(Date.now() / 1000) + 900 });
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: { AccessToken: accessToken, IdToken: fakeJwt({ sub: USER_ID }) },
      ...meta,
    });
    dynamo
      .on(GetCommand)
      .resolves({ Item: profile(USER_ID, 'REGULAR', { deletedAt: '2026-02-01T00:00:00.000Z' }), ...meta });
    const response = await call(refreshHandler, httpEvent('POST /auth/refresh', { body: { refreshToken: 'r' } }));
    expect(response.statusCode).toBe(401);
  });

  it("revokes the session's own refresh token on logout and remembers the session as ended", async () => {
    // Cognito refreshes the token to say whose sign-in it is: this caller's.
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: {
        AccessToken: fakeJwt({ sub: USER_ID, origin_jti: `session-of-${USER_ID}`, exp: 9_999_999_999 }),
        IdToken: fakeJwt({ sub: USER_ID }),
      },
      ...meta,
    });
    cognito.on(RevokeTokenCommand).resolves(meta);
    dynamo.on(GetCommand).resolves({ Item: profile(USER_ID, 'REGULAR'), ...meta });
    dynamo.on(UpdateCommand).resolves(meta);
    dynamo.on(QueryCommand).resolves({ Items: [], ...meta });
    const response = await call(
      logoutHandler,
      httpEvent('POST /auth/logout', { body: { refreshToken: 'r1' }, claims: userClaims() }),
    );
    expect(response.statusCode).toBe(204);
    expect(cognito.commandCalls(RevokeTokenCommand)[0]!.args[0].input.Token).toBe('r1');
    const update = dynamo.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.UpdateExpression).toBe('SET endedSessions = :map');
    expect(Object.keys(update.ExpressionAttributeValues![':map'])).toEqual([sessionKey(`session-of-${USER_ID}`)]);
  });

  it('revokes no refresh token of another sign-in, and ends this session all the same', async () => {
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: {
        AccessToken: fakeJwt({ sub: USER_ID, origin_jti: 'another-sign-in', exp: 9_999_999_999 }),
        IdToken: fakeJwt({ sub: USER_ID }),
      },
      ...meta,
    });
    dynamo.on(GetCommand).resolves({ Item: profile(USER_ID, 'REGULAR'), ...meta });
    dynamo.on(UpdateCommand).resolves(meta);
    dynamo.on(QueryCommand).resolves({ Items: [], ...meta });
    const response = await call(
      logoutHandler,
      httpEvent('POST /auth/logout', { body: { refreshToken: 'r2' }, claims: userClaims() }),
    );
    expect(response.statusCode).toBe(204);
    expect(cognito.commandCalls(RevokeTokenCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('refuses a session ended by logout, and one older than a sign-out-everywhere', async () => {
    const ended = { [sessionKey(`session-of-${USER_ID}`)]: Math.floor(Date.now() / 1000) + 600 };
    dynamo.on(GetCommand).resolves({ Item: profile(USER_ID, 'REGULAR', { endedSessions: ended }), ...meta });
    expect((await call(listUsers, httpEvent('GET /users', { claims: userClaims() }))).statusCode).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    dynamo.on(GetCommand).resolves({ Item: profile(USER_ID, 'REGULAR', { sessionsEndedAt: now }), ...meta });
    expect((await call(listUsers, httpEvent('GET /users', { claims: userClaims() }))).statusCode).toBe(401);
  });

  it('refuses ID tokens and tokens without exp before reading anything', async () => {
    const { exp: _exp, ...withoutExp } = userClaims();
    for (const claims of [{ ...userClaims(), token_use: 'id' }, withoutExp]) {
      const response = await call(listUsers, httpEvent('GET /users', { claims }));
      expect(response.statusCode).toBe(401);
    }
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });
});

describe('admin routes', () => {
  it('refuse a token whose admin claim is stale (profile says REGULAR)', async () => {
    dynamo.on(GetCommand).resolves({ Item: profile(ADMIN_ID, 'REGULAR'), ...meta });
    const response = await call(listUsers, httpEvent('GET /users', { claims: adminClaims() }));
    expect(response.statusCode).toBe(403);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('refuse a caller whose profile says REGULAR, even with a promoted-looking token', async () => {
    dynamo.on(GetCommand).resolves({ Item: profile(USER_ID, 'REGULAR'), ...meta });
    const response = await call(listUsers, httpEvent('GET /users', { claims: adminClaims(USER_ID) }));
    expect(response.statusCode).toBe(403);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('list users with one Query on the collection index, newest first', async () => {
    dynamo.on(GetCommand).resolves({ Item: profile(ADMIN_ID, 'ADMIN'), ...meta });
    dynamo.on(QueryCommand).resolves({ Items: [profile(USER_ID, 'REGULAR')], LastEvaluatedKey: { pk: 'x' }, ...meta });
    const response = await call(listUsers, httpEvent('GET /users', { claims: adminClaims(), query: { limit: '5' } }));
    expect(response.statusCode).toBe(200);
    expect(response.json.items).toHaveLength(1);
    expect(response.json.nextCursor).toEqual(expect.any(String));
    const query = dynamo.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query).toMatchObject({ IndexName: 'byCollection', ScanIndexForward: false, Limit: 5 });
  });
});

describe('PATCH /users/{id}/role', () => {
  const event = (role: string, id = USER_ID) =>
    httpEvent('PATCH /users/{id}/role', { claims: adminClaims(), params: { id }, body: { role } });

  it('updates the profile then the group', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: profile(ADMIN_ID, 'ADMIN'), ...meta })
      .resolves({ Item: profile(USER_ID, 'REGULAR'), ...meta });
    dynamo.on(UpdateCommand).resolves({ Attributes: profile(USER_ID, 'ADMIN'), ...meta });
    cognito.on(AdminAddUserToGroupCommand).resolves(meta);
    const response = await call(changeRole, event('ADMIN'));
    expect(response.statusCode).toBe(200);
    expect(response.json.role).toBe('ADMIN');
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]!.args[0].input).toMatchObject({
      Username: USER_ID,
      GroupName: 'admin',
    });
  });

  it('puts the profile back when the group change fails, so both stay in step', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: profile(ADMIN_ID, 'ADMIN'), ...meta })
      .resolves({ Item: profile(USER_ID, 'ADMIN'), ...meta });
    dynamo.on(UpdateCommand).resolves({ Attributes: profile(USER_ID, 'REGULAR'), ...meta });
    cognito.on(AdminRemoveUserFromGroupCommand).rejects(cognitoError(TooManyRequestsException));
    const response = await call(changeRole, event('REGULAR'));
    expect(response.statusCode).toBe(429);
    const updates = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues);
    expect(updates).toHaveLength(2);
    expect(updates[1]).toMatchObject({ ':v0': 'ADMIN', ':expected': 'REGULAR' });
  });

  it("answers 409 for the caller's own role without touching anything", async () => {
    dynamo.on(GetCommand).resolves({ Item: profile(ADMIN_ID, 'ADMIN'), ...meta });
    const response = await call(changeRole, event('REGULAR', ADMIN_ID));
    expect(response.statusCode).toBe(409);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('DELETE /users/{id}', () => {
  const event = (id = OTHER_ID) => httpEvent('DELETE /users/{id}', { claims: adminClaims(), params: { id } });
  // The orders assigned to the deleted account (none here): one Query of the lookup index.
  beforeEach(() => {
    dynamo.on(QueryCommand).resolves({ Items: [], ...meta });
  });

  it('marks the profile deleted, then deletes the account', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: profile(ADMIN_ID, 'ADMIN'), ...meta })
      .resolves({ Item: profile(OTHER_ID, 'REGULAR'), ...meta });
    dynamo.on(UpdateCommand).resolves(meta);
    cognito.on(AdminDeleteUserCommand).resolves(meta);
    const response = await call(deleteUser, event());
    expect(response.statusCode).toBe(204);
    expect(dynamo.commandCalls(UpdateCommand)[0]!.args[0].input.UpdateExpression).toContain('REMOVE gsi1pk, gsi1sk');
  });

  it('finishes an interrupted deletion on retry', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: profile(ADMIN_ID, 'ADMIN'), ...meta })
      .resolves({ Item: profile(OTHER_ID, 'REGULAR', { deletedAt: '2026-02-01T00:00:00.000Z' }), ...meta });
    cognito.on(AdminDeleteUserCommand).resolves(meta);
    const response = await call(deleteUser, event());
    expect(response.statusCode).toBe(204);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers 404 once both are gone', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: profile(ADMIN_ID, 'ADMIN'), ...meta })
      .resolves({ Item: profile(OTHER_ID, 'REGULAR', { deletedAt: '2026-02-01T00:00:00.000Z' }), ...meta });
    cognito.on(AdminDeleteUserCommand).rejects(cognitoError(UserNotFoundException));
    const response = await call(deleteUser, event());
    expect(response.statusCode).toBe(404);
  });

  it('treats a concurrent deletion as done', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: profile(ADMIN_ID, 'ADMIN'), ...meta })
      .resolves({ Item: profile(OTHER_ID, 'REGULAR'), ...meta });
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'x', ...meta }));
    cognito.on(AdminDeleteUserCommand).resolves(meta);
    expect((await call(deleteUser, event())).statusCode).toBe(204);
  });
});
