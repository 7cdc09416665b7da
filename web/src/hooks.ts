/** The app's glue to the client library: routes in the URL's hash, and a chat room as state. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  ChatClient,
  ChatEvent,
  ChatMessage,
  ChatState,
  OrderListChangedFrame,
  PendingMessage,
  RoomState,
} from '../../client/src/index.ts';

export type Route =
  { page: 'orders' } | { page: 'order'; id: string } | { page: 'account' } | { page: 'unsubscribe'; token: string };

/** Hash routes (#/orders/ID, #/account): the static host serves one index.html, whatever the route. */
export function parseRoute(hash: string): Route {
  if (hash === '#/account') return { page: 'account' };
  // An e-mail's unsubscribe link: works signed out.
  const unsubscribe = /^#\/unsubscribe\?token=([\w.-]+)$/.exec(hash);
  if (unsubscribe) return { page: 'unsubscribe', token: unsubscribe[1]! };
  const order = /^#\/orders\/([0-9A-Za-z]+)$/.exec(hash);
  return order ? { page: 'order', id: order[1]! } : { page: 'orders' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function useConnectionState(chat: ChatClient): ChatState {
  const [state, setState] = useState(chat.state);
  useEffect(
    () =>
      chat.subscribe((event) => {
        if (event.type === 'state') setState(event.state);
      }),
    [chat],
  );
  return state;
}

export interface RoomView {
  room: RoomState | undefined;
  messages: readonly ChatMessage[];
  outbox: readonly PendingMessage[];
  /** Why the room can't be shown (e.g. 404), once joining failed. */
  error: string | undefined;
}

/** Joins a room for as long as the component is shown; re-renders on every change to it. */
export function useChatRoom(chat: ChatClient, roomId: string): RoomView {
  const read = (): RoomView => ({
    room: chat.room(roomId),
    messages: chat.messages(roomId),
    outbox: chat.outbox(roomId),
    error: undefined,
  });
  const [view, setView] = useState(read);
  useEffect(() => {
    const stop = chat.subscribe((event) => {
      if (event.type === 'room' && event.roomId === roomId) setView((current) => ({ ...read(), error: current.error }));
    });
    chat.join(roomId).then(
      () => setView(read()),
      (error: Error) => setView({ ...read(), error: error.message }),
    );
    return () => {
      stop();
      chat.leave(roomId);
    };
  }, [chat, roomId]);
  return view;
}

/**
 * Calls `onChange` when a conversation the user is part of moves on (the other side wrote, or a room
 * began or stopped waiting), at most once per burst: lists read themselves again.
 */
export function useConversationChanges(chat: ChatClient, onChange: () => void): void {
  // In a busy shop conversations move many times a second, and an admin's inbox is a page read (60 a
  // minute per user, shared by their tabs): while they keep moving, one read every 10 s.
  useChatEvents(chat, (event) => event.type === 'conversationChanged', onChange, 10_000);
}

/**
 * Keeps an order list current while shown: watches orders on the connection, and calls `onChange`
 * when an order it may show changes (`which` picks the changes that matter), or after a reconnect
 * may have missed some. While orders keep changing (a busy shop changes them many times a second),
 * one call every 2 s: each reads the list again.
 */
export function useOrderListChanges(
  chat: ChatClient,
  onChange: () => void,
  which: (change: OrderListChangedFrame['change']) => boolean = () => true,
): void {
  useEffect(() => chat.watchOrders(), [chat]);
  useChatEvents(
    chat,
    (event) => event.type === 'orderListChanged' && (event.frame === null || which(event.frame.change)),
    onChange,
    2000,
  );
}

/**
 * Calls `onEvent` once for a burst of matching events: 300 ms after the last of them, or `maxWaitMs`
 * after the first while they keep coming (a busy shop never goes quiet for 300 ms).
 */
function useChatEvents(
  chat: ChatClient,
  matches: (event: ChatEvent) => boolean,
  onEvent: () => void,
  maxWaitMs: number,
): void {
  // The latest render's: a filter chosen since applies to the next event.
  const latest = useRef(onEvent);
  latest.current = onEvent;
  const latestMatches = useRef(matches);
  latestMatches.current = matches;
  useEffect(() => {
    let quiet: ReturnType<typeof setTimeout> | undefined;
    let longest: ReturnType<typeof setTimeout> | undefined;
    const fire = () => {
      clearTimeout(quiet);
      clearTimeout(longest);
      quiet = longest = undefined;
      latest.current();
    };
    const stop = chat.subscribe((event) => {
      if (!latestMatches.current(event)) return;
      clearTimeout(quiet);
      quiet = setTimeout(fire, 300);
      longest ??= setTimeout(fire, maxWaitMs);
    });
    return () => {
      stop();
      clearTimeout(quiet);
      clearTimeout(longest);
    };
  }, [chat]);
}
