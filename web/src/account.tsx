/**
 * The account page: the name others see, the password (the current one required; other devices
 * are signed out), two-factor sign-in with an authenticator app (a QR code to scan), and deleting
 * the account (its password required, and asked twice).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { encode } from 'uqr';
import type { components, NotificationPreferences, OrderChatApi, User } from '../../client/src/index.ts';
import { Field, FormError, PASSWORD_RULES, useAction } from './fields.tsx';
import { fieldErrors } from './format.ts';

interface Props {
  api: OrderChatApi;
  user: User;
  onChanged: (user: User) => void;
  /** The account is gone: back to signing in. */
  onGone: () => void;
}

export function AccountPage({ api, user, onChanged, onGone }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div class="account">
      <p>
        <a href="#/">{user.role === 'ADMIN' ? '← All orders' : '← Your orders'}</a>
      </p>
      <h1 tabIndex={-1} ref={heading}>
        Your account
      </h1>
      <p>
        Signed in as <strong>{user.email}</strong>.
      </p>
      <NameForm api={api} user={user} onChanged={onChanged} />
      <EmailForm api={api} user={user} onChanged={onChanged} />
      <PasswordForm api={api} user={user} onChanged={onChanged} />
      <TwoFactorSection api={api} user={user} onChanged={onChanged} />
      <NotificationsSection api={api} user={user} />
      <DataSection api={api} />
      {user.role === 'ADMIN' ? null : <DeleteForm api={api} onGone={onGone} />}
    </div>
  );
}

/** A form's state: what the server refused, whether it is busy, and what it last did. */
function useFormAction() {
  const { error, busy, attempt } = useAction();
  const [done, setDone] = useState<string | undefined>(undefined);
  const run =
    (action: (form: FormData, element: HTMLFormElement) => Promise<string | undefined>) => async (event: Event) => {
      event.preventDefault();
      const element = event.currentTarget as HTMLFormElement;
      setDone(undefined);
      await attempt(async () => setDone(await action(new FormData(element), element)));
    };
  return { error, busy, done, run, fields: fieldErrors(error) };
}

function Done({ message }: { message: string | undefined }) {
  return message ? (
    <p class="notice" role="status">
      {message}
    </p>
  ) : null;
}

function NameForm({ api, user, onChanged }: Pick<Props, 'api' | 'user' | 'onChanged'>) {
  const form = useFormAction();
  const submit = form.run(async (data) => {
    const updated = await api.call(api.api.PATCH('/users/me', { body: { name: String(data.get('name')).trim() } }));
    onChanged(updated);
    return 'Saved: others see this name from now on.';
  });
  return (
    <section class="card" aria-labelledby="name-title">
      <h2 id="name-title">Name</h2>
      <form onSubmit={submit} noValidate>
        <Field name="name" label="Name" autoComplete="name" defaultValue={user.name} error={form.fields.name} />
        <FormError error={form.error} />
        <Done message={form.done} />
        <button type="submit" disabled={form.busy}>
          Save name
        </button>
      </form>
    </section>
  );
}

/** A new address: asked for with the password, then confirmed with the code e-mailed to it. */
function EmailForm({ api, user, onChanged }: Pick<Props, 'api' | 'user' | 'onChanged'>) {
  const form = useFormAction();
  const [pending, setPending] = useState<string | null>(null);
  useEffect(() => {
    // A change asked for earlier (another visit, another device) waits for its code.
    api.emailStatus().then(
      (status) => setPending(status.pendingEmail),
      () => undefined,
    );
  }, [api, user.email]);
  const ask = form.run(async (data, element) => {
    const status = await api.changeEmail({
      email: String(data.get('email')).trim(),
      password: String(data.get('password')),
    });
    element.reset();
    setPending(status.pendingEmail);
    return `We e-mailed a code to ${status.pendingEmail}. Enter it below: until then you sign in with ${status.email}.`;
  });
  const confirm = form.run(async (data) => {
    const updated = await api.confirmEmailChange({ code: String(data.get('code')).trim() });
    setPending(null);
    onChanged(updated);
    return `Done: you sign in with ${updated.email} from now on. We told your old address.`;
  });
  return (
    <section class="card" aria-labelledby="email-title">
      <h2 id="email-title">E-mail address</h2>
      <p>
        You sign in with <strong>{user.email}</strong>.
      </p>
      {pending ? (
        <form key="confirm" onSubmit={confirm} noValidate>
          <Field
            id="email-code"
            name="code"
            label={`Code sent to ${pending}`}
            autoComplete="one-time-code"
            inputMode="numeric"
            error={form.fields.code}
          />
          <FormError error={form.error} />
          <Done message={form.done} />
          <button type="submit" disabled={form.busy}>
            Confirm new address
          </button>
        </form>
      ) : null}
      <form key="ask" onSubmit={ask} noValidate>
        <Field
          id="email-new"
          name="email"
          label="New e-mail address"
          type="email"
          autoComplete="email"
          error={form.fields.email}
        />
        <Field
          id="email-password"
          name="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          error={form.fields.password}
        />
        {pending ? null : <FormError error={form.error} />}
        {pending ? null : <Done message={form.done} />}
        <button type="submit" class={pending ? 'secondary' : undefined} disabled={form.busy}>
          {pending ? 'Send the code to another address' : 'Change e-mail address'}
        </button>
      </form>
    </section>
  );
}

function PasswordForm({ api, user, onChanged }: Pick<Props, 'api' | 'user' | 'onChanged'>) {
  const form = useFormAction();
  const submit = form.run(async (data, element) => {
    const changed = await api.changePassword({
      currentPassword: String(data.get('currentPassword')),
      newPassword: String(data.get('newPassword')),
      ...(user.twoFactorEnabled ? { code: String(data.get('code')).trim() } : {}),
    });
    element.reset();
    onChanged(changed);
    return 'Password changed. Every other device is signed out.';
  });
  return (
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form onSubmit={submit} noValidate>
        <Field
          name="currentPassword"
          label="Current password"
          type="password"
          autoComplete="current-password"
          error={form.fields.currentPassword}
        />
        <Field
          name="newPassword"
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_RULES}
          error={form.fields.newPassword}
        />
        {user.twoFactorEnabled ? <AppCodeField id="password-code" error={form.fields.code} /> : null}
        <FormError error={form.error} />
        <Done message={form.done} />
        <button type="submit" disabled={form.busy}>
          Change password
        </button>
      </form>
    </section>
  );
}

function AppCodeField({ id, error }: { id: string; error: string[] | undefined }) {
  return (
    <Field
      id={id}
      name="code"
      label="Code from your authenticator app"
      autoComplete="one-time-code"
      inputMode="numeric"
      error={error}
    />
  );
}

type TotpSetup = components['schemas']['TotpSetup'];

/**
 * Two-factor sign-in: off, being set up (a QR code of the app's secret, confirmed by a first
 * code), or on (turned off with the password and a current code).
 */
function TwoFactorSection({ api, user, onChanged }: Pick<Props, 'api' | 'user' | 'onChanged'>) {
  const form = useFormAction();
  const [setup, setSetup] = useState<TotpSetup | undefined>(undefined);
  const start = form.run(async () => {
    setSetup(await api.startTwoFactorSetup());
    return undefined;
  });
  const enable = form.run(async (data) => {
    onChanged(await api.enableTwoFactor({ code: String(data.get('code')).trim() }));
    setSetup(undefined);
    return 'Two-factor sign-in is on: every sign-in asks for a code from your app.';
  });
  const disable = form.run(async (data, element) => {
    onChanged(
      await api.disableTwoFactor({ password: String(data.get('password')), code: String(data.get('code')).trim() }),
    );
    element.reset();
    return 'Two-factor sign-in is off: your password alone signs you in.';
  });
  return (
    <section class="card" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor sign-in</h2>
      {user.twoFactorEnabled ? (
        <>
          <p>
            <strong>On.</strong> Every sign-in asks for a code from your authenticator app as well as your password.
          </p>
          <form key="turn-off" onSubmit={disable} noValidate>
            <Field
              id="two-factor-password"
              name="password"
              label="Your password"
              type="password"
              autoComplete="current-password"
              error={form.fields.password}
            />
            <AppCodeField id="two-factor-off-code" error={form.fields.code} />
            <FormError error={form.error} />
            <Done message={form.done} />
            <button type="submit" class="secondary" disabled={form.busy}>
              Turn off two-factor sign-in
            </button>
          </form>
        </>
      ) : setup ? (
        <>
          <p>
            Scan this code with an authenticator app (1Password, Google Authenticator, Authy…), then enter the code it
            shows.
          </p>
          <QrCode text={setup.uri} label="QR code for your authenticator app" />
          <p class="hint">
            Can't scan? Enter this key in the app: <code class="secret">{setup.secret}</code>
          </p>
          <form key="turn-on" onSubmit={enable} noValidate>
            <AppCodeField id="two-factor-on-code" error={form.fields.code} />
            <FormError error={form.error} />
            <button type="submit" disabled={form.busy}>
              Turn on two-factor sign-in
            </button>
          </form>
        </>
      ) : (
        <>
          <p>
            Off. With it on, a stolen password alone can't sign in: every sign-in asks for a code from an app on your
            phone.
          </p>
          <form key="start" onSubmit={start} noValidate>
            <FormError error={form.error} />
            <Done message={form.done} />
            <button type="submit" disabled={form.busy}>
              Set up two-factor sign-in
            </button>
          </form>
        </>
      )}
    </section>
  );
}

/** A QR code drawn as SVG squares (no image, no script): what an authenticator app scans. */
const TOPICS = [
  { topic: 'messages', label: 'Messages I haven’t read, a few minutes after they come', admins: false },
  { topic: 'statusChanges', label: 'My orders’ status changes and closed conversations', admins: false },
  { topic: 'newOrders', label: 'New orders', admins: true },
] as const;

/** What the user is e-mailed about while they are away: each box saves as it is ticked. */
function NotificationsSection({ api, user }: Pick<Props, 'api' | 'user'>) {
  const { error, busy, attempt } = useAction();
  const [preferences, setPreferences] = useState<NotificationPreferences | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  useEffect(() => {
    api.notificationPreferences().then(setPreferences, () => undefined);
  }, [api]);
  const change = (topic: keyof NotificationPreferences, on: boolean) =>
    attempt(async () => {
      setDone(undefined);
      setPreferences(await api.changeNotificationPreferences({ [topic]: on }));
      setDone('Saved.');
    });
  const shown = TOPICS.filter((entry) => (user.role === 'ADMIN') === entry.admins || entry.topic === 'messages');
  return (
    <section class="card" aria-labelledby="notifications-title">
      <h2 id="notifications-title">E-mail notifications</h2>
      <p>While you are away, we e-mail you about:</p>
      {preferences ? (
        <fieldset class="choices" disabled={busy}>
          <legend class="visually-hidden">E-mail me about</legend>
          {shown.map(({ topic, label }) => (
            <label key={topic}>
              <input
                type="checkbox"
                name={topic}
                checked={preferences[topic]}
                onChange={(event) => change(topic, (event.currentTarget as HTMLInputElement).checked)}
              />{' '}
              {label}
            </label>
          ))}
        </fieldset>
      ) : (
        <p class="loading">Loading…</p>
      )}
      <FormError error={error} />
      <Done message={done} />
    </section>
  );
}

function QrCode({ text, label }: { text: string; label: string }) {
  const { data, size } = encode(text, { ecc: 'M', border: 4 });
  const dark = data.flatMap((row, y) => row.map((on, x) => (on ? `M${x} ${y}h1v1h-1z` : ''))).join('');
  return (
    <svg class="qr" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} width="200" height="200">
      <rect width={size} height={size} fill="#fff" />
      <path d={dark} fill="#000" shape-rendering="crispEdges" />
    </svg>
  );
}

/** Everything the service holds about the user, saved as one JSON file. */
function DataSection({ api }: Pick<Props, 'api'>) {
  const form = useFormAction();
  const download = form.run(async () => {
    const data = await api.exportMyData();
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `order-chat-data-${data.exportedAt.slice(0, 10)}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    const messages = data.orders.reduce((count, order) => count + order.messages.length, 0);
    return `Saved ${link.download}: your profile, ${data.orders.length} orders with their history and ${messages} messages.`;
  });
  return (
    <section class="card" aria-labelledby="data-title">
      <h2 id="data-title">Your data</h2>
      <p>
        Everything we hold about you — your profile, your orders with their history, and their chats — as one JSON file.
      </p>
      <form onSubmit={download} noValidate>
        <FormError error={form.error} />
        <Done message={form.done} />
        <button type="submit" class="secondary" disabled={form.busy}>
          {form.busy ? 'Gathering your data…' : 'Download my data'}
        </button>
      </form>
    </section>
  );
}

/** Deleting is for good: the first press asks, the second deletes. */
function DeleteForm({ api, onGone }: Pick<Props, 'api' | 'onGone'>) {
  const form = useFormAction();
  const [confirming, setConfirming] = useState(false);
  const submit = form.run(async (data) => {
    if (!confirming) {
      setConfirming(true);
      return undefined;
    }
    await api.deleteAccount({ password: String(data.get('password')) });
    onGone();
    return undefined;
  });
  return (
    <section class="card danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete your account</h2>
      <p>
        Your account goes for good: you are signed out everywhere and can't sign in again. Your name stays on what you
        wrote in order chats, so the conversation still reads.
      </p>
      <form onSubmit={submit} noValidate>
        <Field
          name="password"
          label="Your password"
          type="password"
          autoComplete="current-password"
          error={form.fields.password}
        />
        {confirming ? (
          <p class="confirm" role="alert">
            This can't be undone. Delete your account?
          </p>
        ) : null}
        <FormError error={form.error} />
        <div class="actions">
          <button type="submit" class="danger" disabled={form.busy}>
            {confirming ? 'Yes, delete my account' : 'Delete account…'}
          </button>
          {confirming ? (
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
