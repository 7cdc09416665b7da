/** The shell: who is signed in, the chat connection that goes with them, and the page the hash names. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  ChatClient,
  createOrderChatApi,
  webStorageTokenStore,
  type OrderChatApi,
  type User,
} from '../../client/src/index.ts';
import type { AppConfig } from './config.ts';
import { AccountPage } from './account.tsx';
import { AuthPage } from './auth.tsx';
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

  const route = useRoute();
  // An e-mail's unsubscribe link works whether or not this browser is signed in.
  if (route.page === 'unsubscribe') return <UnsubscribePage api={api} token={route.token} />;
  if (user === undefined) return <p class="loading">Loading…</p>;
  if (user === null) return <AuthPage api={api} onSignedIn={setUser} />;
  return <SignedIn api={api} config={config} user={user} onSignedOut={() => setUser(null)} onChanged={setUser} />;
}

/**
 * The page an e-mail's "Stop these e-mails" link opens: it unsubscribes at once (the click was the
 * one click; a mail scanner that fetches links runs no script, so it can't unsubscribe anyone).
 */
function UnsubscribePage({ api, token }: { api: OrderChatApi; token: string }) {
  const [outcome, setOutcome] = useState<'working' | 'done' | 'failed'>('working');
  useEffect(() => {
    api.unsubscribe(token).then(
      () => setOutcome('done'),
      () => setOutcome('failed'),
    );
  }, [api, token]);
  return (
    <main class="unsubscribe">
      <h1>E-mail notifications</h1>
      <p role="status">
        {outcome === 'working'
          ? 'Unsubscribing…'
          : outcome === 'done'
            ? 'Done: you won’t get these e-mails any more.'
            : 'This link doesn’t work: it may have been cut short. Change what you get on your account page.'}
      </p>
      <p>
        <a href="#/account">Choose what we e-mail you about</a>
      </p>
    </main>
  );
}

function SignedIn(props: {
  api: OrderChatApi;
  config: AppConfig;
  user: User;
  onSignedOut: () => void;
  /** The account's profile changed (a new name): the header shows it. */
  onChanged: (user: User) => void;
}) {
  const { api, user } = props;
  const chat = useMemo(
    () => new ChatClient({ url: props.config.webSocketUrl, ticket: () => api.chatTicket(), selfId: user.id }),
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
        {/* Who is signed in, and the way to their account page (one header item: it fits a phone). */}
        <a class="who" href="#/account" aria-label={`${user.name}: your account`}>
          {user.name}
          {/* The role once, and not when the name says it already (the bootstrap admin is "Admin"). */}
          {user.role === 'ADMIN' && user.name.trim().toLowerCase() !== 'admin' ? (
            <span class="badge">Admin</span>
          ) : null}
        </a>
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
        ) : route.page === 'account' ? (
          <AccountPage api={api} user={user} onChanged={props.onChanged} onGone={props.onSignedOut} />
        ) : (
          <OrdersPage api={api} chat={chat} user={user} />
        )}
      </main>
    </>
  );
}
