/** The shell: who is signed in, the chat connection that goes with them, and the page the hash names. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ChatClient,
  createOrderChatApi,
  webStorageTokenStore,
  type OrderChatApi,
  type User,
} from '../../client/src/index.ts';
import type { AppConfig } from './config.ts';
import { describeError, fieldErrors } from './format.ts';
import { useConnectionState, useRoute } from './hooks.ts';
import { OrderPage } from './order.tsx';
import { OrdersPage } from './orders.tsx';

export function App({ config }: { config: AppConfig }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const api = useMemo(
    () =>
      createOrderChatApi({
        baseUrl: config.apiUrl,
        // One tab's session, kept across reloads; gone with the tab.
        tokens: webStorageTokenStore(sessionStorage),
        onSessionEnd: () => setUser(null),
      }),
    [config.apiUrl],
  );

  useEffect(() => {
    if (!api.signedIn) return setUser(null);
    api.call(api.api.GET('/users/me')).then(setUser, () => setUser(null));
  }, [api]);

  if (user === undefined) return <p class="loading">Loading…</p>;
  if (user === null) return <AuthPage api={api} onSignedIn={setUser} />;
  return <SignedIn api={api} config={config} user={user} onSignedOut={() => setUser(null)} />;
}

function SignedIn(props: { api: OrderChatApi; config: AppConfig; user: User; onSignedOut: () => void }) {
  const { api, user } = props;
  const chat = useMemo(
    () => new ChatClient({ url: props.config.webSocketUrl, ticket: () => api.chatTicket() }),
    [api, user.id],
  );
  useEffect(() => {
    const stop = chat.subscribe((event) => {
      if (event.type === 'sessionEnded') props.onSignedOut();
    });
    chat.connect();
    return () => {
      stop();
      chat.close();
    };
  }, [chat]);
  const route = useRoute();
  const connection = useConnectionState(chat);
  const signOut = async () => {
    chat.close();
    await api.signOut().catch(() => undefined);
    props.onSignedOut();
  };

  return (
    <>
      <header class="bar">
        <a class="brand" href="#/">
          Order Chat
        </a>
        <span class="who">
          {user.name}
          {/* The role once, and not when the name says it already (the bootstrap admin is "Admin"). */}
          {user.role === 'ADMIN' && user.name.trim().toLowerCase() !== 'admin' ? (
            <span class="badge">Admin</span>
          ) : null}
        </span>
        <span class={`connection connection-${connection}`} role="status" aria-live="polite">
          {connection === 'open' ? 'Live' : connection === 'closed' ? 'Offline' : 'Connecting…'}
        </span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {route.page === 'order' ? (
          <OrderPage key={route.id} api={api} chat={chat} user={user} orderId={route.id} />
        ) : (
          <OrdersPage api={api} user={user} />
        )}
      </main>
    </>
  );
}

function AuthPage({ api, onSignedIn }: { api: OrderChatApi; onSignedIn: (user: User) => void }) {
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [mode]);
  const fields = fieldErrors(error);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    setBusy(true);
    setError(undefined);
    try {
      if (mode === 'signUp') await api.signUp({ email, password, name: String(form.get('name')) });
      onSignedIn(await api.signIn({ email, password }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="auth">
      <h1 tabIndex={-1} ref={heading}>
        {mode === 'signIn' ? 'Sign in to Order Chat' : 'Create your account'}
      </h1>
      <form onSubmit={submit} noValidate>
        {mode === 'signUp' ? <Field name="name" label="Name" autoComplete="name" error={fields.name} /> : null}
        <Field name="email" label="Email" type="email" autoComplete="email" error={fields.email} />
        <Field
          name="password"
          label="Password"
          type="password"
          autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'}
          error={fields.password}
          hint={mode === 'signUp' ? '8 or more characters with upper and lower case, a digit and a symbol.' : undefined}
        />
        <FormError error={error} />
        <button type="submit" disabled={busy}>
          {mode === 'signIn' ? 'Sign in' : 'Create account'}
        </button>
      </form>
      <p>
        {mode === 'signIn' ? 'New here? ' : 'Have an account? '}
        <button
          type="button"
          class="link"
          onClick={() => {
            setError(undefined);
            setMode(mode === 'signIn' ? 'signUp' : 'signIn');
          }}
        >
          {mode === 'signIn' ? 'Create an account' : 'Sign in'}
        </button>
      </p>
    </main>
  );
}

/** A refusal that no field explains (field errors show beside their fields). */
export function FormError({ error }: { error: unknown }) {
  if (!error || Object.keys(fieldErrors(error)).length > 0) return null;
  return (
    <p class="error" role="alert">
      {describeError(error)}
    </p>
  );
}

/** A labelled input with its hint and error tied to it for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
  /** What the server said is wrong with it: each on its own line. */
  error?: string[] | undefined;
  hint?: string | undefined;
  multiline?: boolean;
  min?: number;
  defaultValue?: string;
}) {
  const id = `field-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error?.length ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: props.name,
    'aria-invalid': props.error?.length ? true : undefined,
    'aria-describedby': describedBy || undefined,
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={3} />
      ) : (
        <input
          {...common}
          type={props.type ?? 'text'}
          autoComplete={props.autoComplete}
          min={props.min}
          defaultValue={props.defaultValue}
          required
        />
      )}
      {props.hint ? (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      ) : null}
      {props.error?.length === 1 ? (
        <small id={`${id}-error`} class="error">
          {props.error[0]}
        </small>
      ) : props.error?.length ? (
        <ul id={`${id}-error`} class="error">
          {props.error.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
