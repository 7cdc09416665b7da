// End-to-end: accounts, sessions and user management through the local runtime.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  api,
  bootstrapAdmin,
  confirmEmail,
  login,
  newAdmin,
  runtime,
  newUser,
  STRONG_PASSWORD,
  uniqueEmail,
  type Session,
} from './support.ts';

const expectProblem = (response: { status: number; headers: Headers; body: any }, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body).toMatchObject({
    type: 'about:blank',
    status,
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(JSON.stringify(response.body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack traces
};

let alice: Session; // regular user
let bob: Session; // another regular user
let admin: Session;

beforeAll(async () => {
  [alice, bob, admin] = await Promise.all([newUser('alice'), newUser('bob'), bootstrapAdmin()]);
});

describe('POST /auth/register', () => {
  it('creates a regular account and answers 201 with the user', async () => {
    const email = uniqueEmail('Reg');
    const response = await api('POST', '/auth/register', {
      body: { name: 'Reggie', email, password: STRONG_PASSWORD },
    });
    expect(response.status).toBe(201);
    expect(response.body.user).toMatchObject({ name: 'Reggie', email: email.toLowerCase(), role: 'REGULAR' });
    expect(response.body.user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.user).not.toHaveProperty('password');
    const session = await confirmEmail(email, STRONG_PASSWORD);
    expect(session.user.id).toBe(response.body.user.id);
  });

  it('answers 409 when the email is taken, whatever its case', async () => {
    const response = await api('POST', '/auth/register', {
      body: { name: 'Again', email: alice.email.toUpperCase(), password: STRONG_PASSWORD },
    });
    expectProblem(response, 409);
  });

  it.each([
    ['missing fields', {}, 'body.name'],
    ['a one-letter name', { name: 'A', email: uniqueEmail(), password: STRONG_PASSWORD }, 'body.name'],
    ['a 51-letter name', { name: 'x'.repeat(51), email: uniqueEmail(), password: STRONG_PASSWORD }, 'body.name'],
    ['a bad email', { name: 'Ok Name', email: 'not-an-email', password: STRONG_PASSWORD }, 'body.email'],
    ['a short password', { name: 'Ok Name', email: uniqueEmail(), password: 'S1!a' }, 'body.password'],
    ['a password without a symbol', { name: 'Ok Name', email: uniqueEmail(), password: 'Abcdefg1' }, 'body.password'],
    ['a password without a digit', { name: 'Ok Name', email: uniqueEmail(), password: 'Abcdefg!' }, 'body.password'],
    ['a password without upper case', { name: 'Ok Name', email: uniqueEmail(), password: 'abcdef1!' }, 'body.password'],
    [
      'a 65-character password',
      { name: 'Ok Name', email: uniqueEmail(), password: `Aa1!${'x'.repeat(61)}` },
      'body.password',
    ],
    ['a wrong type', { name: 42, email: uniqueEmail(), password: STRONG_PASSWORD }, 'body.name'],
    [
      'an unknown field',
      { name: 'Ok Name', email: uniqueEmail(), password: STRONG_PASSWORD, role: 'ADMIN' },
      'body.role',
    ],
  ] as [string, Record<string, unknown>, string][])(
    'answers 400 for %s, naming the field, and creates nothing',
    async (_case, body, path) => {
      const response = await api('POST', '/auth/register', { body });
      expectProblem(response, 400);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      if (typeof body.email === 'string' && body.email.includes('@')) {
        const probe = await api('POST', '/auth/login', { body: { email: body.email, password: STRONG_PASSWORD } });
        expect(probe.status).toBe(401);
      }
    },
  );

  it('answers 400 for invalid JSON and 415 for a non-JSON content type', async () => {
    expectProblem(
      await api('POST', '/auth/register', { rawBody: '{"name":', headers: { 'content-type': 'application/json' } }),
      400,
    );
    expectProblem(
      await api('POST', '/auth/register', { rawBody: 'name=x', headers: { 'content-type': 'text/plain' } }),
      415,
    );
    expectProblem(await api('POST', '/auth/register', {}), 400);
  });
});

describe('POST /auth/login', () => {
  it('returns tokens and the user', async () => {
    const response = await api('POST', '/auth/login', { body: { email: alice.email, password: STRONG_PASSWORD } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      accessToken: expect.any(String),
      idToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      user: { id: alice.user.id, role: 'REGULAR' },
    });
    expect(response.body.expiresIn).toBeGreaterThan(0);
    expect(response.body.expiresIn).toBeLessThanOrEqual(900); // 15-minute access tokens
  });

  it('answers 401 with the same message for an unknown email and a wrong password', async () => {
    const unknown = await api('POST', '/auth/login', {
      body: { email: uniqueEmail('ghost'), password: STRONG_PASSWORD },
    });
    const wrong = await api('POST', '/auth/login', { body: { email: alice.email, password: 'Wr0ng!Password' } });
    expectProblem(unknown, 401);
    expectProblem(wrong, 401);
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('answers 400 for a missing password and unknown fields', async () => {
    expectProblem(await api('POST', '/auth/login', { body: { email: alice.email } }), 400);
    expectProblem(await api('POST', '/auth/login', { body: { email: alice.email, password: 'x', extra: 1 } }), 400);
  });
});

describe('POST /auth/refresh and /auth/logout', () => {
  it('refreshes, then after logout the refresh token is refused', async () => {
    const session = await newUser('refresher');
    const refreshed = await api('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toEqual({
      accessToken: expect.any(String),
      idToken: expect.any(String),
      expiresIn: expect.any(Number),
    });
    const me = await api('GET', '/users/me', { token: refreshed.body.accessToken });
    expect(me.body.id).toBe(session.user.id);

    const logout = await api('POST', '/auth/logout', {
      token: session.accessToken,
      body: { refreshToken: session.refreshToken },
    });
    expect(logout.status).toBe(204);
    expectProblem(await api('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } }), 401);
  });

  it('answers 401 for a made-up refresh token', async () => {
    expectProblem(await api('POST', '/auth/refresh', { body: { refreshToken: 'not-a-token' } }), 401);
  });

  it('refuses logout without a token (authorizer 401)', async () => {
    const response = await api('POST', '/auth/logout', { body: { refreshToken: alice.refreshToken } });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: 'Unauthorized' });
  });
});

describe('GET and PATCH /users/me', () => {
  it('shows each caller their own profile', async () => {
    for (const session of [alice, bob, admin]) {
      const response = await api('GET', '/users/me', { token: session.accessToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id: session.user.id,
        name: session.user.name,
        email: session.email,
        role: session.user.role,
        emailConfirmed: true,
        twoFactorEnabled: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    }
  });

  it('refuses anonymous, malformed and forged tokens with 401', async () => {
    expect((await api('GET', '/users/me')).status).toBe(401);
    expect((await api('GET', '/users/me', { token: 'garbage' })).status).toBe(401);
    expect((await api('GET', '/users/me', { token: alice.idToken.slice(0, -4) + 'AAAA' })).status).toBe(401);
  });

  it('renames the caller only', async () => {
    const session = await newUser('renamer');
    const response = await api('PATCH', '/users/me', { token: session.accessToken, body: { name: '  New Name  ' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: session.user.id, name: 'New Name' });
    expect(
      response.body.updatedAt > response.body.createdAt || response.body.updatedAt === response.body.createdAt,
    ).toBe(true);
    const other = await api('GET', '/users/me', { token: alice.accessToken });
    expect(other.body.name).toBe(alice.user.name);
  });

  it('refuses a bad name, an unknown field or a role change with 400 and changes nothing', async () => {
    for (const body of [{ name: 'x' }, { name: 'Fine Name', role: 'ADMIN' }, { role: 'ADMIN' }, {}]) {
      expectProblem(await api('PATCH', '/users/me', { token: bob.accessToken, body }), 400);
    }
    const me = await api('GET', '/users/me', { token: bob.accessToken });
    expect(me.body).toMatchObject({ name: bob.user.name, role: 'REGULAR' });
  });
});

describe('admin routes for every caller', () => {
  const adminRoutes = (targetId: string) =>
    [
      ['GET', '/users', undefined],
      ['GET', `/users/${targetId}`, undefined],
      ['PATCH', `/users/${targetId}/role`, { role: 'ADMIN' }],
      ['DELETE', `/users/${targetId}`, undefined],
    ] as const;

  it('refuses anonymous callers with 401', async () => {
    for (const [method, path, body] of adminRoutes(bob.user.id)) {
      const response = await api(method, path, { ...(body ? { body } : {}) });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });

  it('refuses regular users with 403, even on their own or another user', async () => {
    for (const [method, path, body] of [...adminRoutes(bob.user.id), ...adminRoutes(alice.user.id)]) {
      const response = await api(method, path, { token: alice.accessToken, ...(body ? { body } : {}) });
      expectProblem(response, 403);
    }
    const bobNow = await api('GET', '/users/me', { token: bob.accessToken });
    expect(bobNow.body.role).toBe('REGULAR');
  });

  it('lets an admin read a user and answers 404 for an unknown one and 400 for a malformed id', async () => {
    const found = await api('GET', `/users/${alice.user.id}`, { token: admin.accessToken });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: alice.user.id, email: alice.email, role: 'REGULAR' });
    expectProblem(await api('GET', '/users/00000000-0000-4000-8000-000000000000', { token: admin.accessToken }), 404);
    expectProblem(await api('GET', '/users/not-a-uuid', { token: admin.accessToken }), 400);
  });
});

describe('GET /users', () => {
  it('pages through users newest first with no gaps or duplicates', async () => {
    const created: Session[] = [];
    for (let i = 0; i < 5; i++) created.push(await newUser(`pager${i}`)); // sequential: distinct createdAt order
    const seen: { id: string; createdAt: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await api('GET', `/users${query}`, { token: admin.accessToken });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 500);
    const ids = seen.map((u) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const session of created) expect(ids).toContain(session.user.id);
    const createdOrder = created.map((s) => ids.indexOf(s.user.id));
    expect([...createdOrder].sort((a, b) => b - a)).toEqual(createdOrder); // newest first
    const times = seen.map((u) => u.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('defaults to 20 per page and has a null cursor on the last page', async () => {
    const page = await api('GET', '/users?limit=100', { token: admin.accessToken });
    expect(page.status).toBe(200);
    expect(page.body).toHaveProperty('nextCursor');
    const first = await api('GET', '/users', { token: admin.accessToken });
    expect(first.body.items.length).toBeLessThanOrEqual(20);
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'cursor=forged', 'cursor=eyJrIjp7fX0.AAAA', 'unknown=1'])(
    'answers 400 for %s',
    async (query) => {
      expectProblem(await api('GET', `/users?${query}`, { token: admin.accessToken }), 400);
    },
  );

  it('refuses a cursor whose payload was altered', async () => {
    const page = await api('GET', '/users?limit=1', { token: admin.accessToken });
    const [payload, signature] = (page.body.nextCursor as string).split('.');
    const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    decoded.k.gsi1sk = '9999';
    const altered = `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${signature}`;
    expectProblem(await api('GET', `/users?cursor=${encodeURIComponent(altered)}`, { token: admin.accessToken }), 400);
  });
});

describe('PATCH /users/{id}/role', () => {
  it('promotes a user: the new role applies from the next request, with the same token', async () => {
    const carol = await newUser('carol');
    const promoted = await api('PATCH', `/users/${carol.user.id}/role`, {
      token: admin.accessToken,
      body: { role: 'ADMIN' },
    });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: carol.user.id, role: 'ADMIN' });

    // The token has no admin group claim, but the role comes from the profile, not the token.
    expect((await api('GET', '/users', { token: carol.accessToken })).status).toBe(200);
  });

  it('refuses a demoted admin on admin routes at once, before their token expires', async () => {
    const dave = await newAdmin('dave');
    expect((await api('GET', '/users', { token: dave.accessToken })).status).toBe(200);
    const demoted = await api('PATCH', `/users/${dave.user.id}/role`, {
      token: admin.accessToken,
      body: { role: 'REGULAR' },
    });
    expect(demoted.status).toBe(200);
    expect(demoted.body.role).toBe('REGULAR');
    // Same token, still carrying the admin group claim:
    expectProblem(await api('GET', '/users', { token: dave.accessToken }), 403);
    const relogged = await login(dave.email, dave.password);
    expect(relogged.user.role).toBe('REGULAR');
    expectProblem(await api('GET', '/users', { token: relogged.accessToken }), 403);
  });

  it('answers 409 when an admin changes their own role', async () => {
    const erin = await newAdmin('erin');
    expectProblem(
      await api('PATCH', `/users/${erin.user.id}/role`, { token: erin.accessToken, body: { role: 'REGULAR' } }),
      409,
    );
    expect((await api('GET', '/users/me', { token: erin.accessToken })).body.role).toBe('ADMIN');
  });

  it('answers 400 for an unknown role and 404 for an unknown user', async () => {
    expectProblem(
      await api('PATCH', `/users/${bob.user.id}/role`, { token: admin.accessToken, body: { role: 'ROOT' } }),
      400,
    );
    expectProblem(
      await api('PATCH', '/users/00000000-0000-4000-8000-000000000000/role', {
        token: admin.accessToken,
        body: { role: 'ADMIN' },
      }),
      404,
    );
  });
});

describe('DELETE /users/{id}', () => {
  it('deletes an account: it can no longer sign in or refresh and leaves the listing', async () => {
    const frank = await newUser('frank');
    const deleted = await api('DELETE', `/users/${frank.user.id}`, { token: admin.accessToken });
    expect(deleted.status).toBe(204);
    expectProblem(await api('POST', '/auth/login', { body: { email: frank.email, password: frank.password } }), 401);
    expectProblem(await api('POST', '/auth/refresh', { body: { refreshToken: frank.refreshToken } }), 401);
    expectProblem(await api('GET', `/users/${frank.user.id}`, { token: admin.accessToken }), 404);
    expectProblem(await api('GET', '/users/me', { token: frank.accessToken }), 401);
    expectProblem(await api('DELETE', `/users/${frank.user.id}`, { token: admin.accessToken }), 404);
    const listing = await api('GET', '/users?limit=100', { token: admin.accessToken });
    expect(listing.body.items.map((u: { id: string }) => u.id)).not.toContain(frank.user.id);
  });

  it('lets the email be registered again after deletion', async () => {
    const gina = await newUser('gina');
    await api('DELETE', `/users/${gina.user.id}`, { token: admin.accessToken });
    const again = await api('POST', '/auth/register', {
      body: { name: 'Gina Again', email: gina.email, password: STRONG_PASSWORD },
    });
    expect(again.status).toBe(201);
    expect(again.body.user.id).not.toBe(gina.user.id);
  });

  it('refuses to let an admin delete themselves', async () => {
    const hank = await newAdmin('hank');
    expectProblem(await api('DELETE', `/users/${hank.user.id}`, { token: hank.accessToken }), 409);
  });
});

describe('npm run create-admin', () => {
  it('creates an admin in the running local runtime, and updates it idempotently', async () => {
    const run = promisify(execFile);
    const email = uniqueEmail('cli-admin');
    const env = {
      ...process.env,
      COGNITO_PORT: new URL(runtime.cognitoEndpoint).port,
      DYNAMODB_PORT: new URL(runtime.dynamoDbEndpoint).port,
      // An in-memory runtime's credentials are in no data folder: the tool is given its secret.
      LOCAL_AWS_SECRET: inject('localAwsSecret'),
    };
    const args = [
      '--import',
      'tsx',
      'local/create-admin.ts',
      '--email',
      email,
      '--password',
      STRONG_PASSWORD,
      '--name',
      'Cli Admin',
    ];
    const first = await run(process.execPath, args, { env });
    expect(first.stdout).toContain(`Admin ${email}`);
    await run(process.execPath, [...args.slice(0, -1), 'Renamed Admin'], { env });

    const session = await login(email, STRONG_PASSWORD);
    expect(session.user).toMatchObject({ role: 'ADMIN', name: 'Renamed Admin' });
    expect((await api('GET', '/users', { token: session.accessToken })).status).toBe(200);
  });

  it('refuses a weak password with a usage message', async () => {
    const run = promisify(execFile);
    await expect(
      run(process.execPath, [
        '--import',
        'tsx',
        'local/create-admin.ts',
        '--email',
        uniqueEmail(),
        '--password',
        'weak',
      ]),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Usage: npm run create-admin') });
  });
});
