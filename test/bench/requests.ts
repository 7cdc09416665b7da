/** JSON requests to a runtime, as the bench makes them: a refusal is an error, not an answer. */
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

/** A new customer, registered and signed in. */
export async function signUp(base: string, label: string) {
  const email = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.test`;
  const { user } = await request(base, 'POST', '/auth/register', {
    body: { name: label, email, password: BENCH_PASSWORD },
  });
  return { id: user.id as string, email, ...(await signIn(base, { email, password: BENCH_PASSWORD })) };
}
