// End-to-end: moving an account to a new e-mail address — confirmed by the code e-mailed to the
// new address, the old one told — each e-mail read from the local mailbox.
import { describe, expect, it } from 'vitest';
import { LOCAL_EMAIL_FROM } from '#lambdas/identity.ts';
import { api, login, newUser, runtime, STRONG_PASSWORD, uniqueEmail } from './support.ts';
import { codeFor, inbox, nthMail } from '../support/mailbox.ts';

describe('changing the e-mail address', () => {
  it('sends a code to the new address; the old one signs in until it is confirmed, then is told', async () => {
    const person = await newUser('move');
    const newAddress = uniqueEmail('moved');

    const wrongPassword = await api('POST', '/users/me/email', {
      token: person.accessToken,
      body: { email: newAddress, password: 'Wr0ng!Passw0rd' },
    });
    expect(wrongPassword.status).toBe(400);
    expect(wrongPassword.body.errors).toEqual([{ path: 'body.password', message: 'Incorrect password' }]);

    const asked = await api('POST', '/users/me/email', {
      token: person.accessToken,
      body: { email: newAddress, password: STRONG_PASSWORD },
    });
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ email: person.email, pendingEmail: newAddress });

    // The code goes to the new address, and only there.
    const code = await codeFor(runtime.mailboxUrl, newAddress);
    expect(await inbox(runtime.mailboxUrl, person.email)).toHaveLength(1); // the sign-up's code alone
    // Until confirmed, the old address is the account's, and the new one waits (seen from another device too).
    const elsewhere = await login(person.email, STRONG_PASSWORD);
    expect((await api('GET', '/users/me/email', { token: elsewhere.accessToken })).body).toEqual({
      email: person.email,
      pendingEmail: newAddress,
    });
    expect((await api('POST', '/auth/login', { body: { email: newAddress, password: STRONG_PASSWORD } })).status).toBe(
      401,
    );

    const wrong = await api('POST', '/users/me/email/confirm', {
      token: person.accessToken,
      body: { code: code === '000000' ? '000001' : '000000' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([{ path: 'body.code', message: 'wrong' }]);

    const confirmed = await api('POST', '/users/me/email/confirm', { token: person.accessToken, body: { code } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id: person.user.id, email: newAddress });
    expect((await api('GET', '/users/me/email', { token: person.accessToken })).body).toEqual({
      email: newAddress,
      pendingEmail: null,
    });

    // The old address is told, from the stage's sender.
    const notice = await nthMail(runtime.mailboxUrl, person.email, 2);
    expect(notice.from).toBe(LOCAL_EMAIL_FROM);
    expect(notice.subject).toBe('Your Order Chat address has changed');
    expect(notice.text).toContain(newAddress);

    // Sign-in moves with it; the session that changed it carries on.
    expect((await login(newAddress, STRONG_PASSWORD)).user.id).toBe(person.user.id);
    expect(
      (await api('POST', '/auth/login', { body: { email: person.email, password: STRONG_PASSWORD } })).status,
    ).toBe(401);
    expect((await api('GET', '/users/me', { token: person.accessToken })).body.email).toBe(newAddress);
    // A password reset now goes to the new address.
    expect((await api('POST', '/auth/forgot-password', { body: { email: newAddress } })).status).toBe(202);
    expect(await codeFor(runtime.mailboxUrl, newAddress, 2)).toMatch(/^\d{6}$/);

    // Nothing waits any more.
    const again = await api('POST', '/users/me/email/confirm', { token: person.accessToken, body: { code } });
    expect(again.status).toBe(409);
  });

  it('refuses an address another account has, and the address the account has already', async () => {
    const person = await newUser('move-taken');
    const other = await newUser('move-holder');
    const taken = await api('POST', '/users/me/email', {
      token: person.accessToken,
      body: { email: other.email, password: STRONG_PASSWORD },
    });
    expect(taken.status).toBe(409);
    const same = await api('POST', '/users/me/email', {
      token: person.accessToken,
      body: { email: person.email.toUpperCase(), password: STRONG_PASSWORD },
    });
    expect(same.status).toBe(400);
    expect(same.body.errors).toEqual([{ path: 'body.email', message: 'Unchanged' }]);
    expect(await inbox(runtime.mailboxUrl, other.email)).toHaveLength(1);
  });

  it('a second request replaces the first: only the latest address’s code confirms', async () => {
    const person = await newUser('move-twice');
    const first = uniqueEmail('first');
    const second = uniqueEmail('second');
    for (const email of [first, second]) {
      const asked = await api('POST', '/users/me/email', {
        token: person.accessToken,
        body: { email, password: STRONG_PASSWORD },
      });
      expect(asked.status).toBe(202);
    }
    const firstCode = await codeFor(runtime.mailboxUrl, first);
    const secondCode = await codeFor(runtime.mailboxUrl, second);
    if (firstCode !== secondCode) {
      const stale = await api('POST', '/users/me/email/confirm', {
        token: person.accessToken,
        body: { code: firstCode },
      });
      expect(stale.status).toBe(400);
    }
    const done = await api('POST', '/users/me/email/confirm', {
      token: person.accessToken,
      body: { code: secondCode },
    });
    expect(done.status).toBe(200);
    expect(done.body.email).toBe(second);
  });

  it('is the signed-in user’s own, and bounded by the codes sent per address', async () => {
    expect((await api('POST', '/users/me/email', { body: { email: uniqueEmail(), password: 'x' } })).status).toBe(401);
    expect((await api('POST', '/users/me/email/confirm', { body: { code: '123456' } })).status).toBe(401);
    const person = await newUser('move-flood');
    const target = uniqueEmail('flooded');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      statuses.push(
        (
          await api('POST', '/users/me/email', {
            token: person.accessToken,
            body: { email: target, password: STRONG_PASSWORD },
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.at(-1)).toBe(429);
    expect((await inbox(runtime.mailboxUrl, target)).length).toBeLessThanOrEqual(5);
  });
});
