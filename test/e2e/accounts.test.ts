// End-to-end: an account's address confirmed with the code Cognito e-mails, and a forgotten
// password reset with one — each code read from the local mailbox, as a person reads it.
import { describe, expect, it } from 'vitest';
import { LOCAL_EMAIL_FROM, verificationEmail } from '#lambdas/identity.ts';
import { LIMITS } from '#lambdas/limits/policy.ts';
import {
  api,
  bootstrapAdmin,
  closedWithin,
  confirmEmail,
  connect,
  inOneWindow,
  login,
  newAdmin,
  newUser,
  runtime,
  socketsClosedAfterEach,
  STRONG_PASSWORD,
  uniqueEmail,
  type ApiResponse,
} from './support.ts';
import { ageCode } from './planted.ts';
import { codeFor, inbox, nthMail } from '../support/mailbox.ts';

const sockets = socketsClosedAfterEach();
const NEW_PASSWORD = 'N3w!Passw0rd-x';

const expectCodeRefused = (response: ApiResponse, refusal: 'wrong' | 'expired' | 'used') => {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body.errors).toEqual([{ path: 'body.code', message: refusal }]);
  expect(response.body.detail).toEqual(expect.any(String));
};

/** A code that isn't `code`. */
const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

async function register(email: string, password = STRONG_PASSWORD, name = 'New Person') {
  return api('POST', '/auth/register', { body: { name, email, password } });
}

describe('confirming the address at sign-up', () => {
  it('e-mails a code from the pool’s sender; the account signs in only once the code confirms it', async () => {
    const email = uniqueEmail('confirm');
    const created = await register(email);
    expect(created.status).toBe(201);
    expect(created.body.user.emailConfirmed).toBe(false);

    const mail = await nthMail(runtime.mailboxUrl, email, 1);
    expect(mail.from).toBe(LOCAL_EMAIL_FROM);
    expect(mail.subject).toBe(verificationEmail.subject);
    const code = /\b(\d{6})\b/.exec(mail.text)![1]!;

    // The right password, the address unconfirmed: told what to do, and no tokens.
    const early = await api('POST', '/auth/login', { body: { email, password: STRONG_PASSWORD } });
    expect(early.status).toBe(403);
    expect(early.body.detail).toMatch(/confirm your e-mail address/i);
    expect(early.text).not.toMatch(/accessToken/);
    // A wrong password is a 401 as for anyone, whatever the address's state.
    expect((await api('POST', '/auth/login', { body: { email, password: 'Wr0ng!Passw0rd' } })).status).toBe(401);

    expectCodeRefused(
      await api('POST', '/auth/confirm-email', { body: { email, password: STRONG_PASSWORD, code: otherThan(code) } }),
      'wrong',
    );
    const wrongPassword = await api('POST', '/auth/confirm-email', {
      body: { email, password: 'Wr0ng!Passw0rd', code },
    });
    expect(wrongPassword.status).toBe(401);

    const confirmed = await api('POST', '/auth/confirm-email', { body: { email, password: STRONG_PASSWORD, code } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user).toMatchObject({ id: created.body.user.id, emailConfirmed: true });
    expect((await api('GET', '/users/me', { token: confirmed.body.accessToken })).body.emailConfirmed).toBe(true);

    expectCodeRefused(
      await api('POST', '/auth/confirm-email', { body: { email, password: STRONG_PASSWORD, code } }),
      'used',
    );
    expect((await login(email, STRONG_PASSWORD)).user.id).toBe(created.body.user.id);
    expect(await inbox(runtime.mailboxUrl, email)).toHaveLength(1);
  });

  it('sends a new code on request (the password says whose account it is); the old one stops working', async () => {
    const email = uniqueEmail('resend');
    await register(email);
    const first = await codeFor(runtime.mailboxUrl, email, 1);
    expect(
      (await api('POST', '/auth/confirm-email/resend', { body: { email, password: 'Wr0ng!Passw0rd' } })).status,
    ).toBe(401);
    const resent = await api('POST', '/auth/confirm-email/resend', { body: { email, password: STRONG_PASSWORD } });
    expect(resent.status).toBe(202);
    const second = await codeFor(runtime.mailboxUrl, email, 2);
    if (second !== first) {
      expectCodeRefused(
        await api('POST', '/auth/confirm-email', { body: { email, password: STRONG_PASSWORD, code: first } }),
        'wrong',
      );
    }
    const confirmed = await api('POST', '/auth/confirm-email', {
      body: { email, password: STRONG_PASSWORD, code: second },
    });
    expect(confirmed.status).toBe(200);
    // Confirmed: no more codes for it.
    expectCodeRefused(
      await api('POST', '/auth/confirm-email/resend', { body: { email, password: STRONG_PASSWORD } }),
      'used',
    );
  });

  it('refuses a code older than a day as expired', async () => {
    const email = uniqueEmail('expired');
    const created = await register(email);
    const code = await codeFor(runtime.mailboxUrl, email);
    await ageCode(created.body.user.id, 'verifyEmail', 24 * 60 * 60 + 60);
    expectCodeRefused(
      await api('POST', '/auth/confirm-email', { body: { email, password: STRONG_PASSWORD, code } }),
      'expired',
    );
  });

  it('lets an address whose sign-up never confirmed sign up again, replacing it; a confirmed one is a 409', async () => {
    const email = uniqueEmail('again');
    const first = await register(email, STRONG_PASSWORD, 'First Try');
    const second = await register(email, NEW_PASSWORD, 'Second Try');
    expect(second.status).toBe(201);
    expect(second.body.user.id).not.toBe(first.body.user.id);
    // The first sign-up's password is gone with it; the second's code confirms the second.
    expect((await api('POST', '/auth/login', { body: { email, password: STRONG_PASSWORD } })).status).toBe(401);
    const code = await codeFor(runtime.mailboxUrl, email, 2);
    const confirmed = await api('POST', '/auth/confirm-email', { body: { email, password: NEW_PASSWORD, code } });
    expect(confirmed.body.user).toMatchObject({ id: second.body.user.id, name: 'Second Try' });
    expect((await register(email)).status).toBe(409);
  });

  it('limits the codes sent to one address, answering 429 with Retry-After', async () => {
    const email = uniqueEmail('flood');
    await inOneWindow('codeSent');
    await register(email);
    const answers: number[] = [];
    let refused: ApiResponse | undefined;
    for (let i = 0; i < LIMITS.codeSent.limit + 1 && !refused; i++) {
      const response = await api('POST', '/auth/confirm-email/resend', { body: { email, password: STRONG_PASSWORD } });
      answers.push(response.status);
      if (response.status === 429) refused = response;
    }
    // Sign-up sent the first; the window may have turned over once in between.
    expect(refused, JSON.stringify(answers)).toBeDefined();
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await inbox(runtime.mailboxUrl, email)).length).toBeLessThanOrEqual(2 * LIMITS.codeSent.limit);
  });
});

describe('a forgotten password', () => {
  it('e-mails a code, sets the new password with it, and ends every session — HTTP, refresh, $connect, open sockets', async () => {
    const person = await newUser('forgot');
    const socket = await sockets.ticket(person);
    const ticket = (await api('POST', '/chat/tickets', { token: person.accessToken })).body.ticket as string;
    const sent = await api('POST', '/auth/forgot-password', { body: { email: person.email } });
    expect(sent.status).toBe(202);
    expect(sent.text).toBe('');
    const mail = await nthMail(runtime.mailboxUrl, person.email, 2); // the first was the sign-up's
    expect(mail.subject).toBe(verificationEmail.subject);
    const code = /\b(\d{6})\b/.exec(mail.text)![1]!;

    expectCodeRefused(
      await api('POST', '/auth/reset-password', {
        body: { email: person.email, code: otherThan(code), password: NEW_PASSWORD },
      }),
      'wrong',
    );
    const weak = await api('POST', '/auth/reset-password', { body: { email: person.email, code, password: 'weak' } });
    expect(weak.status).toBe(400);
    expect(weak.body.errors.map((e: { path: string }) => e.path)).toContain('body.password');

    const reset = await api('POST', '/auth/reset-password', {
      body: { email: person.email, code, password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);

    expect(await closedWithin(socket, 1000)).toBeGreaterThan(0);
    expect((await api('GET', '/users/me', { token: person.accessToken })).status).toBe(401);
    expect((await api('POST', '/auth/refresh', { body: { refreshToken: person.refreshToken } })).status).toBe(401);
    expect(await connect(`?ticket=${encodeURIComponent(ticket)}`)).toEqual({ refusedWith: 401 });
    expect(
      (await api('POST', '/auth/login', { body: { email: person.email, password: STRONG_PASSWORD } })).status,
    ).toBe(401);
    const again = await login(person.email, NEW_PASSWORD);
    expect((await api('GET', '/users/me', { token: again.accessToken })).status).toBe(200);

    expectCodeRefused(
      await api('POST', '/auth/reset-password', { body: { email: person.email, code, password: 'An0ther!Pass' } }),
      'used',
    );
  });

  it('answers the same for an address with no account, and e-mails nothing', async () => {
    const nobody = uniqueEmail('nobody');
    const person = await newUser('forgot-same');
    const [forNobody, forPerson] = await Promise.all([
      api('POST', '/auth/forgot-password', { body: { email: nobody } }),
      api('POST', '/auth/forgot-password', { body: { email: person.email } }),
    ]);
    expect([forNobody.status, forNobody.text, forNobody.headers.get('content-type')]).toEqual([
      forPerson.status,
      forPerson.text,
      forPerson.headers.get('content-type'),
    ]);
    await nthMail(runtime.mailboxUrl, person.email, 2);
    expect(await inbox(runtime.mailboxUrl, nobody)).toEqual([]);
    // A code for an address without an account reads like any wrong code.
    expectCodeRefused(
      await api('POST', '/auth/reset-password', { body: { email: nobody, code: '123456', password: NEW_PASSWORD } }),
      'wrong',
    );
  });

  it('sends no reset code to an address that was never confirmed', async () => {
    const email = uniqueEmail('unconfirmed');
    await register(email);
    await nthMail(runtime.mailboxUrl, email, 1);
    expect((await api('POST', '/auth/forgot-password', { body: { email } })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await inbox(runtime.mailboxUrl, email)).toHaveLength(1);
  });

  it('refuses a reset code older than an hour as expired', async () => {
    const person = await newUser('reset-expired');
    await api('POST', '/auth/forgot-password', { body: { email: person.email } });
    const code = await codeFor(runtime.mailboxUrl, person.email, 2);
    await ageCode(person.user.id, 'resetPassword', 60 * 60 + 60);
    expectCodeRefused(
      await api('POST', '/auth/reset-password', { body: { email: person.email, code, password: NEW_PASSWORD } }),
      'expired',
    );
    expect((await login(person.email, STRONG_PASSWORD)).user.id).toBe(person.user.id);
  });

  it('limits code attempts per address, so a 6-digit code can’t be guessed', async () => {
    const person = await newUser('guess');
    await api('POST', '/auth/forgot-password', { body: { email: person.email } });
    const code = await codeFor(runtime.mailboxUrl, person.email, 2);
    await inOneWindow('codeAttempt');
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.codeAttempt.limit + 1; i++) {
      const response = await api('POST', '/auth/reset-password', {
        body: { email: person.email, code: otherThan(code), password: NEW_PASSWORD },
      });
      statuses.push(response.status);
      if (response.status === 429) break;
    }
    expect(statuses.at(-1), JSON.stringify(statuses)).toBe(429);
    // Even the right code waits for the window to end.
    const right = await api('POST', '/auth/reset-password', {
      body: { email: person.email, code, password: NEW_PASSWORD },
    });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('keeps the bootstrap admin and other accounts untouched', async () => {
    const admin = await bootstrapAdmin();
    expect((await api('GET', '/users/me', { token: admin.accessToken })).body.emailConfirmed).toBe(true);
    const person = await confirmEmailOf(uniqueEmail('plain'));
    expect(person.user.emailConfirmed).toBe(true);
  });
});

async function confirmEmailOf(email: string) {
  await register(email);
  return confirmEmail(email, STRONG_PASSWORD);
}

describe('the local mailbox', () => {
  it('is the runtime’s alone: a page elsewhere can neither read it, empty it, nor post e-mails into it', async () => {
    const evil = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' };
    expect((await fetch(`${runtime.mailboxUrl}/store`, { headers: evil })).status).toBe(403);
    expect((await fetch(`${runtime.mailboxUrl}/clear-store`, { method: 'POST', headers: evil })).status).toBe(403);
    const posted = await fetch(runtime.mailboxUrl, {
      method: 'POST',
      headers: { ...evil, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=SendEmail&Source=a%40evil.example&Destination.ToAddresses.member.1=b%40example.test',
    });
    expect(posted.status).toBe(403);
    // Its own page, and a tool on this machine, read it.
    expect((await fetch(`${runtime.mailboxUrl}/store`)).status).toBe(200);
    const page = await fetch(`${runtime.mailboxUrl}/`, { headers: { 'sec-fetch-site': 'none' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });
});

describe('changing the password', () => {
  it('needs the current one; ends every other session and goes on with new tokens', async () => {
    const phone = await newUser('change-pw');
    const laptop = await login(phone.email, phone.password);
    const laptopSocket = await sockets.ticket(laptop);

    const wrong = await api('POST', '/users/me/password', {
      token: phone.accessToken,
      body: { currentPassword: 'Wr0ng!Passw0rd', newPassword: NEW_PASSWORD },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([{ path: 'body.currentPassword', message: 'Incorrect password' }]);
    const weak = await api('POST', '/users/me/password', {
      token: phone.accessToken,
      body: { currentPassword: STRONG_PASSWORD, newPassword: 'weak' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors.map((e: { path: string }) => e.path)).toContain('body.newPassword');

    const changed = await api('POST', '/users/me/password', {
      token: phone.accessToken,
      body: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.user.id).toBe(phone.user.id);

    expect(await closedWithin(laptopSocket, 1000)).toBeGreaterThan(0);
    for (const old of [phone, laptop]) {
      expect((await api('GET', '/users/me', { token: old.accessToken })).status).toBe(401);
      expect((await api('POST', '/auth/refresh', { body: { refreshToken: old.refreshToken } })).status).toBe(401);
    }
    expect((await api('GET', '/users/me', { token: changed.body.accessToken })).status).toBe(200);
    expect((await api('POST', '/auth/refresh', { body: { refreshToken: changed.body.refreshToken } })).status).toBe(
      200,
    );
    expect((await api('POST', '/auth/login', { body: { email: phone.email, password: STRONG_PASSWORD } })).status).toBe(
      401,
    );
    expect((await login(phone.email, NEW_PASSWORD)).user.id).toBe(phone.user.id);
  });
});

describe('deleting your own account', () => {
  it('needs the password; ends every session, closes sockets, and keeps the name on what was written', async () => {
    const [leaving, admin] = await Promise.all([newUser('leaving'), bootstrapAdmin()]);
    const order = await api('POST', '/orders', {
      token: leaving.accessToken,
      body: { description: 'Before I go', specifications: {}, quantity: 1 },
    });
    const socket = await sockets.ticket(leaving);
    socket.send({ action: 'joinRoom', roomId: order.body.id });
    await socket.next((frame) => frame.type === 'chatHistory');
    socket.send({ action: 'sendMessage', roomId: order.body.id, content: 'Goodbye', clientMessageId: 'bye-1' });
    await socket.next((frame) => frame.type === 'newMessage');

    const wrong = await api('DELETE', '/users/me', {
      token: leaving.accessToken,
      body: { password: 'Wr0ng!Passw0rd' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([{ path: 'body.password', message: 'Incorrect password' }]);
    expect((await api('GET', '/users/me', { token: leaving.accessToken })).status).toBe(200);

    const deleted = await api('DELETE', '/users/me', {
      token: leaving.accessToken,
      body: { password: STRONG_PASSWORD },
    });
    expect(deleted.status).toBe(204);
    expect(await closedWithin(socket, 1000)).toBeGreaterThan(0);
    expect((await api('GET', '/users/me', { token: leaving.accessToken })).status).toBe(401);
    expect((await api('POST', '/auth/refresh', { body: { refreshToken: leaving.refreshToken } })).status).toBe(401);
    expect(
      (await api('POST', '/auth/login', { body: { email: leaving.email, password: STRONG_PASSWORD } })).status,
    ).toBe(401);
    expect((await api('GET', `/users/${leaving.user.id}`, { token: admin.accessToken })).status).toBe(404);
    const room = await api('GET', `/chat/rooms/${order.body.id}`, { token: admin.accessToken });
    expect(room.body.messages.map((m: { sender: { name: string } }) => m.sender.name)).toEqual([leaving.user.name]);
  });

  it('is not how an admin leaves: another admin deletes them', async () => {
    const admin = await bootstrapAdmin();
    const refused = await api('DELETE', '/users/me', { token: admin.accessToken, body: { password: 'whatever' } });
    expect(refused.status).toBe(409);
    expect((await api('GET', '/users/me', { token: admin.accessToken })).status).toBe(200);
  });
});

describe('an admin sends a password reset', () => {
  it('e-mails the customer a code they reset with, and keeps it in their record', async () => {
    const [customer, admin] = await Promise.all([newUser('locked-out'), newAdmin('resetter')]);
    const sent = await api('POST', `/users/${customer.user.id}/password-reset`, { token: admin.accessToken });
    expect(sent.status).toBe(202);
    const code = await codeFor(runtime.mailboxUrl, customer.email, 2);
    const reset = await api('POST', '/auth/reset-password', {
      body: { email: customer.email, code, password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);
    expect((await login(customer.email, NEW_PASSWORD)).user.id).toBe(customer.user.id);

    const events = await api('GET', `/users/${customer.user.id}/events`, { token: admin.accessToken });
    expect(events.status).toBe(200);
    expect(events.body).toEqual({
      items: [{ type: 'PASSWORD_RESET_SENT', at: expect.any(String), by: { id: admin.user.id, role: 'ADMIN' } }],
      nextCursor: null,
    });
    // Only admins, and only for a confirmed address of a live account.
    expect((await api('POST', `/users/${admin.user.id}/password-reset`, { token: customer.accessToken })).status).toBe(
      401,
    );
    const again = await login(customer.email, NEW_PASSWORD);
    expect((await api('POST', `/users/${admin.user.id}/password-reset`, { token: again.accessToken })).status).toBe(
      403,
    );
    expect((await api('GET', `/users/${customer.user.id}/events`, { token: again.accessToken })).status).toBe(403);
    const pending = await register(uniqueEmail('never-confirmed'));
    const refused = await api('POST', `/users/${pending.body.user.id}/password-reset`, { token: admin.accessToken });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/never confirmed/);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await api('POST', `/users/${unknown}/password-reset`, { token: admin.accessToken })).status).toBe(404);
  });
});
