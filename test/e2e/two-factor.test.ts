// End-to-end: two-factor sign-in with an authenticator app (TOTP) — turned on with a first code,
// asked for at every sign-in, needed to change the password, turned off with the password and a
// code. Codes are computed from the secret Cognito hands out, as an authenticator app does.
import { describe, expect, it } from 'vitest';
import { LIMITS } from '#lambdas/limits/policy.ts';
import {
  api,
  bootstrapAdmin,
  closedWithin,
  login,
  newUser,
  runtime,
  socketsClosedAfterEach,
  STRONG_PASSWORD,
  type ApiResponse,
  type Session,
} from './support.ts';
import { authenticatorApp, currentStep, totpAt } from '../support/totp.ts';
import { codeFor } from '../support/mailbox.ts';

const sockets = socketsClosedAfterEach();
const NEW_PASSWORD = 'N3w!Passw0rd-2f';

/** A signed-in user with two-factor on, and their authenticator app. */
async function withTwoFactor(label: string) {
  const person = await newUser(label);
  const setup = await api('POST', '/users/me/totp', { token: person.accessToken });
  expect(setup.status).toBe(200);
  const app = authenticatorApp(setup.body.secret);
  const on = await api('PUT', '/users/me/totp', { token: person.accessToken, body: { code: await app.code() } });
  expect(on.status).toBe(200);
  return { person, app };
}

/** Signs in with both factors; the session that results. */
async function signInWithCode(person: Session, code: string, password = person.password) {
  const first = await api('POST', '/auth/login', { body: { email: person.email, password } });
  expect(first.status).toBe(202);
  return api('POST', '/auth/login/totp', { body: { email: person.email, session: first.body.session, code } });
}

const expectWrongCode = (response: ApiResponse) => {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body.errors).toEqual([{ path: 'body.code', message: 'wrong' }]);
};

/** A code the app would never show now (none of the steps a verifier tolerates). */
const staleCode = (secret: string) => totpAt(secret, currentStep() - 10);

describe('turning two-factor sign-in on', () => {
  it('hands out a secret and an otpauth:// URI; a first code from the app turns it on', async () => {
    const person = await newUser('2fa-on');
    expect((await api('GET', '/users/me', { token: person.accessToken })).body.twoFactorEnabled).toBe(false);

    const setup = await api('POST', '/users/me/totp', { token: person.accessToken });
    expect(setup.status).toBe(200);
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{16,}$/);
    const uri = new URL(setup.body.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Order Chat:${person.email}`);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: setup.body.secret,
      issuer: 'Order Chat',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });

    // Not on until a code proves the app holds the secret: sign-in still takes the password alone.
    expect(
      (await api('POST', '/auth/login', { body: { email: person.email, password: STRONG_PASSWORD } })).status,
    ).toBe(200);
    expectWrongCode(
      await api('PUT', '/users/me/totp', { token: person.accessToken, body: { code: staleCode(setup.body.secret) } }),
    );
    const app = authenticatorApp(setup.body.secret);
    const on = await api('PUT', '/users/me/totp', { token: person.accessToken, body: { code: await app.code() } });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ id: person.user.id, twoFactorEnabled: true });
    expect((await api('GET', '/users/me', { token: person.accessToken })).body.twoFactorEnabled).toBe(true);

    // On already: a second set-up would orphan the app the person just added.
    expect((await api('POST', '/users/me/totp', { token: person.accessToken })).status).toBe(409);
  });

  it('is the caller’s own: anonymous callers get 401, malformed codes 400', async () => {
    expect((await api('POST', '/users/me/totp')).status).toBe(401);
    expect((await api('PUT', '/users/me/totp', { body: { code: '123456' } })).status).toBe(401);
    const person = await newUser('2fa-input');
    for (const code of ['12345', '1234567', 'abcdef', 123456]) {
      const refused = await api('PUT', '/users/me/totp', { token: person.accessToken, body: { code } });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].path).toBe('body.code');
    }
  });
});

describe('signing in with two factors', () => {
  it('answers the password with a challenge, and the code with tokens', async () => {
    const { person, app } = await withTwoFactor('2fa-login');
    const first = await api('POST', '/auth/login', { body: { email: person.email, password: STRONG_PASSWORD } });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ challenge: 'TOTP', session: expect.any(String) });
    expect(first.text).not.toMatch(/accessToken/);
    // A wrong password is the same 401 as for anyone: the challenge tells nothing without the password.
    expect(
      (await api('POST', '/auth/login', { body: { email: person.email, password: 'Wr0ng!Passw0rd' } })).status,
    ).toBe(401);

    const done = await api('POST', '/auth/login/totp', {
      body: { email: person.email, session: first.body.session, code: await app.code() },
    });
    expect(done.status).toBe(200);
    expect(done.body.user).toMatchObject({ id: person.user.id, twoFactorEnabled: true });
    expect((await api('GET', '/users/me', { token: done.body.accessToken })).status).toBe(200);
    expect((await api('POST', '/auth/refresh', { body: { refreshToken: done.body.refreshToken } })).status).toBe(200);

    // The challenge is answered once: a replay of the same answer gets nothing.
    const replay = await api('POST', '/auth/login/totp', {
      body: { email: person.email, session: first.body.session, code: await app.code() },
    });
    expect(replay.status).toBe(400);
    expect(replay.body.errors).toEqual([{ path: 'body.session', message: 'expired' }]);
  });

  it('refuses a wrong code, a code used already, and another account’s challenge', async () => {
    const { person, app } = await withTwoFactor('2fa-wrong');
    expectWrongCode(await signInWithCode(person, staleCode(app.secret)));

    const code = await app.code();
    expect((await signInWithCode(person, code)).status).toBe(200);
    // RFC 6238 §5.2: a code is taken once, even within its 30 seconds.
    expectWrongCode(await signInWithCode(person, code));

    // A challenge is bound to the account it was given to.
    const other = await withTwoFactor('2fa-other');
    const theirs = await api('POST', '/auth/login', { body: { email: other.person.email, password: STRONG_PASSWORD } });
    const crossed = await api('POST', '/auth/login/totp', {
      body: { email: person.email, session: theirs.body.session, code: await app.code() },
    });
    expect(crossed.status).toBe(400);
    expect(crossed.body.errors).toEqual([{ path: 'body.session', message: 'expired' }]);
  });

  it('limits code attempts per address, answering 429 with Retry-After', async () => {
    const { person } = await withTwoFactor('2fa-limit');
    // withTwoFactor's first code counted as one attempt.
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.codeAttempt.limit; i += 1) {
      const first = await api('POST', '/auth/login', { body: { email: person.email, password: STRONG_PASSWORD } });
      const attempt = await api('POST', '/auth/login/totp', {
        body: { email: person.email, session: first.body.session, code: String(100000 + i) },
      });
      statuses.push(attempt.status);
      if (attempt.status === 429) {
        expect(Number(attempt.headers.get('retry-after'))).toBeGreaterThan(0);
        break;
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((status) => status === 400)).toBe(true);
  });

  it('takes none of it from a request without the fields it needs', async () => {
    for (const body of [{}, { email: 'a@example.test', session: 'x' }, { email: 'a@example.test', code: '123456' }]) {
      expect((await api('POST', '/auth/login/totp', { body })).status).toBe(400);
    }
  });
});

describe('with two-factor on', () => {
  it('changing the password needs a current code as well; every other session ends', async () => {
    const { person, app } = await withTwoFactor('2fa-change');
    const laptop = (await signInWithCode(person, await app.code())).body as Session;
    const laptopSocket = await sockets.ticket(laptop);

    const without = await api('POST', '/users/me/password', {
      token: person.accessToken,
      body: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(without.status).toBe(400);
    expect(without.body.errors).toEqual([{ path: 'body.code', message: 'Required' }]);
    // A wrong code changes nothing: the old password and every session still work.
    expectWrongCode(
      await api('POST', '/users/me/password', {
        token: person.accessToken,
        body: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, code: staleCode(app.secret) },
      }),
    );
    expect((await api('GET', '/users/me', { token: laptop.accessToken })).status).toBe(200);

    const changed = await api('POST', '/users/me/password', {
      token: person.accessToken,
      body: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, code: await app.code() },
    });
    expect(changed.status).toBe(200);
    expect(await closedWithin(laptopSocket, 1000)).toBeGreaterThan(0);
    for (const old of [person, laptop]) {
      expect((await api('GET', '/users/me', { token: old.accessToken })).status).toBe(401);
      expect((await api('POST', '/auth/refresh', { body: { refreshToken: old.refreshToken } })).status).toBe(401);
    }
    expect((await api('GET', '/users/me', { token: changed.body.accessToken })).status).toBe(200);
    expect((await api('POST', '/auth/refresh', { body: { refreshToken: changed.body.refreshToken } })).status).toBe(
      200,
    );
    expect((await api('POST', '/auth/login', { body: { email: person.email, password: NEW_PASSWORD } })).status).toBe(
      202,
    );
  });

  it('a forgotten password is reset by e-mail, and sign-in still asks for the code', async () => {
    const { person, app } = await withTwoFactor('2fa-reset');
    expect((await api('POST', '/auth/forgot-password', { body: { email: person.email } })).status).toBe(202);
    const code = await codeFor(runtime.mailboxUrl, person.email, 2);
    const reset = await api('POST', '/auth/reset-password', {
      body: { email: person.email, code, password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);
    expect((await api('GET', '/users/me', { token: person.accessToken })).status).toBe(401);
    const first = await api('POST', '/auth/login', { body: { email: person.email, password: NEW_PASSWORD } });
    expect(first.status).toBe(202);
    const done = await api('POST', '/auth/login/totp', {
      body: { email: person.email, session: first.body.session, code: await app.code() },
    });
    expect(done.status).toBe(200);
    expect((await api('GET', '/users/me', { token: done.body.accessToken })).status).toBe(200);
  });

  it('confirming the address again is refused as done, and deleting the account needs only the password', async () => {
    const { person } = await withTwoFactor('2fa-delete');
    const confirm = await api('POST', '/auth/confirm-email', {
      body: { email: person.email, password: STRONG_PASSWORD, code: '123456' },
    });
    expect(confirm.status).toBe(400);
    expect(confirm.body.errors).toEqual([{ path: 'body.code', message: 'used' }]);

    const wrong = await api('DELETE', '/users/me', { token: person.accessToken, body: { password: 'Wr0ng!Passw0rd' } });
    expect(wrong.status).toBe(400);
    expect(
      (await api('DELETE', '/users/me', { token: person.accessToken, body: { password: STRONG_PASSWORD } })).status,
    ).toBe(204);
    expect(
      (await api('POST', '/auth/login', { body: { email: person.email, password: STRONG_PASSWORD } })).status,
    ).toBe(401);
  });
});

describe('turning two-factor sign-in off', () => {
  it('needs the password and a current code; sign-in takes the password alone again', async () => {
    const { person, app } = await withTwoFactor('2fa-off');
    const wrongPassword = await api('DELETE', '/users/me/totp', {
      token: person.accessToken,
      body: { password: 'Wr0ng!Passw0rd', code: await app.code() },
    });
    expect(wrongPassword.status).toBe(400);
    expect(wrongPassword.body.errors).toEqual([{ path: 'body.password', message: 'Incorrect password' }]);
    expectWrongCode(
      await api('DELETE', '/users/me/totp', {
        token: person.accessToken,
        body: { password: STRONG_PASSWORD, code: staleCode(app.secret) },
      }),
    );
    expect((await api('GET', '/users/me', { token: person.accessToken })).body.twoFactorEnabled).toBe(true);

    const off = await api('DELETE', '/users/me/totp', {
      token: person.accessToken,
      body: { password: STRONG_PASSWORD, code: await app.code() },
    });
    expect(off.status).toBe(200);
    expect(off.body.twoFactorEnabled).toBe(false);
    expect((await login(person.email, STRONG_PASSWORD)).user.twoFactorEnabled).toBe(false);
    // And on again, with a new secret (the old app's codes no longer count).
    const setup = await api('POST', '/users/me/totp', { token: person.accessToken });
    expect(setup.status).toBe(200);
    expect(setup.body.secret).not.toBe(app.secret);
  });
});

describe('an admin turns off a lost authenticator app', () => {
  it('lets the customer sign in with the password again, and keeps it in their record', async () => {
    const { person } = await withTwoFactor('2fa-lost');
    const admin = await bootstrapAdmin();
    // Nobody else may: the customer themselves, another customer, anonymous.
    const other = await newUser('2fa-lost-other');
    for (const token of [person.accessToken, other.accessToken, undefined]) {
      const refused = await api('DELETE', `/users/${person.user.id}/totp`, token ? { token } : {});
      expect(refused.status).toBe(token ? 403 : 401);
    }
    expect(
      (await api('POST', '/auth/login', { body: { email: person.email, password: STRONG_PASSWORD } })).status,
    ).toBe(202);

    const off = await api('DELETE', `/users/${person.user.id}/totp`, { token: admin.accessToken });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: person.user.id, twoFactorEnabled: false });
    const back = await login(person.email, STRONG_PASSWORD);
    expect(back.user.twoFactorEnabled).toBe(false);
    // A new app can be set up afterwards.
    const setup = await api('POST', '/users/me/totp', { token: back.accessToken });
    expect(setup.status).toBe(200);
    const again = await api('PUT', '/users/me/totp', {
      token: back.accessToken,
      body: { code: await authenticatorApp(setup.body.secret).code() },
    });
    expect(again.body.twoFactorEnabled).toBe(true);

    const events = await api('GET', `/users/${person.user.id}/events`, { token: admin.accessToken });
    expect(events.body.items).toEqual([
      { type: 'TWO_FACTOR_REMOVED', at: expect.any(String), by: { id: admin.user.id, role: 'ADMIN' } },
    ]);
    expect(
      (
        await api('DELETE', `/users/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/totp`, {
          token: admin.accessToken,
        })
      ).status,
    ).toBe(404);
  });
});
