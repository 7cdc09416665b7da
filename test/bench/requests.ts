/** JSON requests to a runtime, as the bench makes them: a refusal is an error, not an answer. */
import { codeFor } from '../support/mailbox.ts';
import { loopbackUrl } from '../support/runtime-process.ts';

export const BENCH_PASSWORD = 'Str0ng!Passw0rd';

export async function request(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<any> {
  const { body, token, headers } = options;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 400) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Signs in: the session's tokens. */
export async function signIn(base: string, credentials: { email: string; password: string }) {
  const session = await request(base, 'POST', '/auth/login', {
    body: { email: credentials.email, password: credentials.password },
  });
  return { token: session.accessToken as string, refresh: session.refreshToken as string };
}

/** Each runtime's mailbox (its sign-up codes arrive there), by the runtime's HTTP base URL. */
const mailboxes = new Map<string, string>();

/** Where the runtime at `base` delivers its e-mail: its sign-ups are confirmed with the code from there. */
export function useMailbox(base: string, mailboxUrl: string): void {
  mailboxes.set(loopbackUrl(base), mailboxUrl);
}

/** A new customer, registered, confirmed with the code from the mailbox, and signed in. */
export async function signUp(base: string, label: string) {
  const mailboxUrl = mailboxes.get(loopbackUrl(base));
  if (!mailboxUrl) throw new Error(`useMailbox('${base}', …) first: sign-ups are confirmed with the e-mailed code`);
  const email = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.test`;
  await request(base, 'POST', '/auth/register', { body: { name: label, email, password: BENCH_PASSWORD } });
  const code = await codeFor(mailboxUrl, email);
  const session = await request(base, 'POST', '/auth/confirm-email', {
    body: { email, password: BENCH_PASSWORD, code },
  });
  return {
    id: session.user.id as string,
    email,
    token: session.accessToken as string,
    refresh: session.refreshToken as string,
  };
}
