/** One order: its details and history, kept current by the room's events, and its live chat. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  ChatClient,
  ChatMessage,
  components,
  OrderChatApi,
  Participant,
  ReadState,
  User,
} from '../../client/src/index.ts';
import { ApiError } from '../../client/src/index.ts';
import { Field, FormError, Problem } from './fields.tsx';
import {
  describeError,
  fieldErrors,
  formatDateTime,
  formatTime,
  formatValue,
  NEXT_STATUS,
  parseSpecifications,
  statusLabel,
} from './format.ts';
import { useChatRoom } from './hooks.ts';
import { AttachButton, ChosenFiles, dropTarget, MessageFiles, useUploads } from './attachments.tsx';

type Order = components['schemas']['Order'];

/** Where the page turns into one column (app.css says the same). */
const NARROW_SCREEN = '(max-width: 48rem)';
type OrderEvent = components['schemas']['OrderEvent'];
type OrderNote = components['schemas']['OrderNote'];

interface HistoryShown {
  events: OrderEvent[];
  before: number | null;
}

/** A re-read brings the newest page: older events already shown stay, and so does the way to the rest. */
function withNewestPage(shown: HistoryShown, page: { items: OrderEvent[]; nextCursor: number | null }): HistoryShown {
  const oldestNew = page.items[0]?.version ?? Infinity;
  const olderShown = shown.events.filter((event) => event.version < oldestNew);
  return {
    events: [...olderShown, ...page.items],
    before: olderShown.length > 0 ? shown.before : page.nextCursor,
  };
}

interface Props {
  api: OrderChatApi;
  chat: ChatClient;
  user: User;
  orderId: string;
}

export function OrderPage({ api, chat, user, orderId }: Props) {
  const [order, setOrder] = useState<Order | undefined>(undefined);
  // The history comes a page at a time, newest first; `before` is the version to ask for older events.
  const [history, setHistory] = useState<HistoryShown>({ events: [], before: null });
  // Admins' internal notes, newest page first (never read for a customer: the API refuses them).
  const [notes, setNotes] = useState<{ items: OrderNote[]; nextCursor: string | null }>({
    items: [],
    nextCursor: null,
  });
  const [error, setError] = useState<unknown>(undefined);
  const isAdmin = user.role === 'ADMIN';
  const heading = useRef<HTMLHeadingElement>(null);
  // On a phone the chat is what a visit is for: the details start folded so Send shows without
  // scrolling, and stay where they are in reading order. A toggle is the user's from then on.
  const [detailsOpen, setDetailsOpen] = useState(() => !globalThis.matchMedia?.(NARROW_SCREEN).matches);

  const reload = async () => {
    try {
      const path = { params: { path: { id: orderId } } };
      const [current, events, noted] = await Promise.all([
        api.call(api.api.GET('/orders/{id}', path)),
        api.call(api.api.GET('/orders/{id}/history', path)),
        isAdmin
          ? api.call(api.api.GET('/orders/{id}/notes', { params: { path: { id: orderId }, query: { limit: 50 } } }))
          : undefined,
      ]);
      setOrder(current);
      setHistory((shown) => withNewestPage(shown, events));
      if (noted) setNotes(noted);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  };

  const showOlderHistory = async () => {
    if (history.before === null) return;
    try {
      const page = await api.call(
        api.api.GET('/orders/{id}/history', {
          params: { path: { id: orderId }, query: { before: history.before } },
        }),
      );
      setHistory((shown) => ({ events: [...page.items, ...shown.events], before: page.nextCursor }));
    } catch (caught) {
      setError(caught);
    }
  };

  useEffect(() => {
    void reload().then(() => heading.current?.focus());
    // What others change reaches the room: the order is read again, no page reload needed. A close
    // that moves the order on arrives as two frames: they share one read.
    let pending: ReturnType<typeof setTimeout> | undefined;
    const readAgain = () => {
      clearTimeout(pending);
      pending = setTimeout(() => void reload(), 50);
    };
    const stop = chat.subscribe((event) => {
      if (event.type === 'orderStatusChanged' && event.frame.orderId === orderId) readAgain();
      if (event.type === 'roomClosed' && event.frame.roomId === orderId) readAgain();
    });
    return () => {
      stop();
      clearTimeout(pending);
    };
  }, [orderId]);

  if (!order) {
    return error ? (
      <p class="error" role="alert">
        {describeError(error)} <a href="#/">Back to orders</a>
      </p>
    ) : (
      <p>Loading order…</p>
    );
  }
  const next = NEXT_STATUS[order.status];
  // A change made here: shown as answered at once, then read again with the history it added.
  const showChanged = (changed?: Order) => {
    if (changed) setOrder(changed);
    void reload();
  };
  // The timeline: the order's events, and for admins their notes among them, oldest first.
  const timeline = [
    ...history.events.map((event) => ({ at: event.at, key: `v${event.version}`, event })),
    ...notes.items.map((note) => ({ at: note.at, key: note.id, note })),
  ].sort((a, b) => a.at.localeCompare(b.at));

  const moveOn = async () => {
    try {
      showChanged(
        await api.call(
          api.api.PATCH('/orders/{id}/status', { params: { path: { id: orderId } }, body: { status: next! } }),
        ),
      );
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div class="order-page">
      <section class="details" aria-labelledby="order-title">
        <p>
          <a href="#/">{isAdmin ? '← All orders' : '← Your orders'}</a>
        </p>
        <h1 id="order-title" tabIndex={-1} ref={heading}>
          {order.description}
        </h1>
        <p>
          Status:{' '}
          <strong class={`status status-${order.status}`} data-testid="order-status">
            {statusLabel(order.status)}
          </strong>
        </p>
        {error ? (
          <p class="error" role="alert">
            {describeError(error)}
          </p>
        ) : null}
        {isAdmin && next ? (
          <button type="button" onClick={moveOn}>
            Move to {statusLabel(next)}
          </button>
        ) : null}
        {isAdmin ? <Assignment api={api} order={order} user={user} onChanged={showChanged} /> : null}
        {order.cancellation ? (
          <p class="cancelled" data-testid="cancellation">
            Cancelled {formatDateTime(order.cancellation.at)}
            {order.cancellation.by === order.userId ? ' by the customer' : ''}: {order.cancellation.reason}
          </p>
        ) : null}

        <details
          class="order-more"
          open={detailsOpen}
          onToggle={(event) => setDetailsOpen((event.currentTarget as HTMLDetailsElement).open)}
        >
          <summary>Details and history</summary>
          <dl>
            <dt>Quantity</dt>
            <dd>{order.quantity}</dd>
            {Object.entries(order.specifications).map(([key, value]) => (
              <>
                <dt>{key}</dt>
                <dd>{formatValue(value)}</dd>
              </>
            ))}
            <dt>Placed</dt>
            <dd>{formatDateTime(order.createdAt)}</dd>
            {/* Customers see who handles it with the details; admins, above (they act on it). */}
            {!isAdmin && order.assignee ? (
              <>
                <dt>Handled by</dt>
                <dd data-testid="assignee">{order.assignee.name}</dd>
              </>
            ) : null}
          </dl>
          {!isAdmin && order.status === 'REVIEW' ? <EditOrder api={api} order={order} onSaved={showChanged} /> : null}
          {/* Rare and for good: with the details, a tap away on a phone, not above the chat. */}
          {mayCancel(order, isAdmin) ? <CancelOrder api={api} orderId={orderId} onCancelled={showChanged} /> : null}
          <h2>History</h2>
          <ol class="history" data-testid="timeline">
            {timeline.map((entry) =>
              'note' in entry ? (
                <li key={entry.key} class="note" data-testid="note">
                  <span>
                    <strong>Note</strong> (admins only): {entry.note!.text}
                  </span>{' '}
                  <span class="meta">
                    {formatDateTime(entry.at)} · {entry.note!.by.name}
                  </span>
                </li>
              ) : (
                <li key={entry.key}>
                  <span>{describeEvent(entry.event!)}</span>{' '}
                  <span class="meta">
                    {formatDateTime(entry.at)} · {entry.event!.by.role === 'ADMIN' ? 'admin' : 'customer'}
                  </span>
                </li>
              ),
            )}
          </ol>
          {history.before !== null ? (
            <button type="button" onClick={showOlderHistory}>
              Show earlier events
            </button>
          ) : null}
          {isAdmin ? (
            <AddNote
              api={api}
              orderId={orderId}
              onAdded={(note) => setNotes((shown) => ({ ...shown, items: [note, ...shown.items] }))}
            />
          ) : null}
        </details>
      </section>
      <ChatPanel api={api} chat={chat} roomId={order.chatRoom.id} isAdmin={isAdmin} userId={user.id} />
    </div>
  );
}

const specificationsText = (specifications: Order['specifications']) =>
  Object.entries(specifications)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('\n');

/**
 * A customer's edit while the order is in review, based on the version they saw (If-Match): if the
 * order changed meanwhile, the answer is 412 and the form says what it is now, keeping their edits;
 * saving again applies them over the current version.
 */
function EditOrder(props: { api: OrderChatApi; order: Order; onSaved: (order: Order) => void }) {
  const { api, order } = props;
  const [open, setOpen] = useState(false);
  const [basedOn, setBasedOn] = useState(order.version);
  const [conflict, setConflict] = useState<Order | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const fields = fieldErrors(error);
  if (!open) {
    return (
      <button
        type="button"
        class="secondary"
        onClick={() => {
          setBasedOn(order.version);
          setConflict(undefined);
          setOpen(true);
        }}
      >
        Edit order…
      </button>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api.call(
        api.api.PATCH('/orders/{id}', {
          params: { path: { id: order.id }, header: { 'If-Match': `"${basedOn}"` } },
          body: {
            description: String(form.get('description')).trim(),
            quantity: Number(form.get('quantity')),
            specifications: parseSpecifications(String(form.get('specifications') ?? '')) as Order['specifications'],
          },
        }),
      );
      setOpen(false);
      setConflict(undefined);
      props.onSaved(saved);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 412) {
        // Someone changed it meanwhile: show what it is now, keep the edits, and base the next save on it.
        const current = await api.call(api.api.GET('/orders/{id}', { params: { path: { id: order.id } } }));
        setConflict(current);
        setBasedOn(current.version);
      } else {
        setError(caught);
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="edit-order" onSubmit={submit} noValidate>
      <Field
        id="edit-description"
        name="description"
        label="What do you need?"
        defaultValue={order.description}
        error={fields.description}
      />
      <Field
        id="edit-quantity"
        name="quantity"
        label="Quantity"
        type="number"
        min={1}
        defaultValue={String(order.quantity)}
        error={fields.quantity}
      />
      <label for="edit-specifications">Specifications</label>
      <textarea
        id="edit-specifications"
        name="specifications"
        rows={3}
        defaultValue={specificationsText(order.specifications)}
      />
      {conflict ? (
        <div class="conflict" role="alert" data-testid="edit-conflict">
          <p>
            While you were editing, this order changed. It is now: “{conflict.description}”, quantity{' '}
            {conflict.quantity}
            {Object.keys(conflict.specifications).length
              ? `, ${specificationsText(conflict.specifications).replaceAll('\n', ', ')}`
              : ''}
            .
          </p>
          <p>Your changes are still here: save again to put them in its place, or keep it as it is.</p>
        </div>
      ) : null}
      <FormError error={error} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {conflict ? 'Save my changes anyway' : 'Save changes'}
        </button>
        <button type="button" class="secondary" onClick={() => setOpen(false)}>
          Keep it as it is
        </button>
      </div>
    </form>
  );
}

/** Customers cancel their own order in review; admins any order in review or processing. */
const mayCancel = (order: Order, isAdmin: boolean) =>
  order.status === 'REVIEW' || (isAdmin && order.status === 'PROCESSING');

/** "Cancel order…" opens a reason and a confirmation: a cancellation is for good. */
function CancelOrder(props: { api: OrderChatApi; orderId: string; onCancelled: (order: Order) => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <button type="button" class="secondary" onClick={() => setOpen(true)}>
        Cancel order…
      </button>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget as HTMLFormElement).get('reason')).trim();
    setBusy(true);
    try {
      props.onCancelled(
        await props.api.call(
          props.api.api.POST('/orders/{id}/cancel', { params: { path: { id: props.orderId } }, body: { reason } }),
        ),
      );
      setOpen(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="cancel-order" onSubmit={submit}>
      <label for="cancel-reason">Why cancel?</label>
      <textarea id="cancel-reason" name="reason" rows={2} maxLength={1000} required />
      <p class="confirm">Cancelling is for good: the order stops and its chat closes with this reason.</p>
      {error ? (
        <p class="error" role="alert">
          {describeError(error)}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class="danger" disabled={busy}>
          Cancel the order
        </button>
        <button type="button" class="secondary" onClick={() => setOpen(false)}>
          Keep it
        </button>
      </div>
    </form>
  );
}

function describeEvent(event: OrderEvent): string {
  switch (event.type) {
    case 'ASSIGNED': {
      const to = event.changes.assignee?.to as { name: string } | null | undefined;
      return to ? `Assigned to ${to.name}` : 'Unassigned';
    }
    case 'CANCELLED':
      return `Cancelled: ${String(event.changes.reason?.to ?? '')}`;
    case 'CREATED':
      return 'Placed';
    case 'STATUS_CHANGED':
      return `Moved to ${statusLabel(event.changes.status?.to as Order['status'])}`;
    case 'ROOM_CLOSED':
      return (
        'Chat closed' +
        (event.changes.status ? `, moved to ${statusLabel(event.changes.status.to as Order['status'])}` : '')
      );
    default:
      return `Changed ${Object.keys(event.changes).join(', ')}`;
  }
}

/**
 * The newest message of the caller's side that the other side has read: "Seen" goes under it. The
 * customer's side is their own messages; the admins' is every admin's.
 */
function seenMessageId(
  messages: readonly ChatMessage[],
  readState: ReadState | undefined,
  userId: string,
): string | undefined {
  const readUpTo = readState?.otherSideReadUpTo;
  if (!readState || !readUpTo) return undefined;
  const ours = (message: ChatMessage) =>
    readState.side === 'customer' ? message.sender.id === userId : message.sender.role === 'ADMIN';
  return messages.filter((message) => ours(message) && message.id <= readUpTo).at(-1)?.id;
}

function ChatPanel(props: { api: OrderChatApi; chat: ChatClient; roomId: string; isAdmin: boolean; userId: string }) {
  const { api, chat, roomId, isAdmin, userId } = props;
  const { room, messages, outbox, error } = useChatRoom(chat, roomId);
  const files = useUploads(api, roomId);
  const [sendError, setSendError] = useState<unknown>(undefined);
  // Closing is for good: the first press asks, the second closes.
  const [confirmingClose, setConfirmingClose] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [messages.length, outbox.length]);
  // What is on screen is read: the newest message when the room shows, and each that arrives while it does.
  const readUpTo = room?.readState.readUpTo;
  useEffect(() => {
    const markShown = () => {
      if (document.visibilityState === 'visible') chat.markRead(roomId);
    };
    markShown();
    document.addEventListener('visibilitychange', markShown);
    return () => document.removeEventListener('visibilitychange', markShown);
  }, [chat, roomId, room !== undefined, messages.length, readUpTo]);
  const seen = seenMessageId(messages, room?.readState, userId);

  const send = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const content = String(new FormData(form).get('content') ?? '').trim();
    // Files still on their way hold the message back (Send is disabled meanwhile).
    if ((!content && files.ready.length === 0) || files.busy) return;
    const attachmentIds = files.ready;
    form.reset();
    files.clear();
    setSendError(undefined);
    await chat.send(roomId, content, { attachmentIds }).catch(setSendError);
  };

  const closeRoom = async (event: Event) => {
    event.preventDefault();
    const summary = String(new FormData(event.currentTarget as HTMLFormElement).get('summary') ?? '').trim();
    if (!summary) return;
    if (!confirmingClose) return setConfirmingClose(true);
    setConfirmingClose(false);
    setSendError(undefined);
    // Over the socket: every member hears roomClosed, and the order's status change, from this one frame.
    await chat.closeRoom(roomId, summary).catch(setSendError);
  };

  return (
    <section class="chat" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat</h2>
      <Presence present={room?.present ?? []} userId={userId} />
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {room && !room.isOpen ? (
        <div class="closed" role="status">
          <p data-testid="room-closed">Chat closed{room.summary ? `: ${room.summary}` : ''}</p>
          <p class="next-step" data-testid="room-closed-next">
            {isAdmin
              ? 'The order has moved on; its status above is where it goes next.'
              : 'No more messages here: the order goes on as summarized. To ask for something else, place a new order.'}
          </p>
        </div>
      ) : null}
      <ol class="messages" ref={list} role="log" aria-live="polite" aria-label="Messages" tabIndex={0}>
        {messages.map((message) => (
          <li
            key={message.id}
            class={[
              message.sender.role === 'ADMIN' ? 'from-admin' : 'from-customer',
              message.sender.id === userId ? 'mine' : '',
            ]
              .filter(Boolean)
              .join(' ')}
          >
            <span class="sender">
              {message.sender.id === userId ? 'You' : message.sender.name}
              {message.sender.role === 'ADMIN' && message.sender.id !== userId ? (
                <span class="badge">Admin</span>
              ) : null}
            </span>{' '}
            <time dateTime={message.createdAt}>{formatTime(message.createdAt)}</time>
            {message.content ? <p>{message.content}</p> : null}
            {message.attachments?.length ? <MessageFiles api={api} message={message} /> : null}
            {message.id === seen ? (
              <span class="seen" data-testid="seen">
                Seen
              </span>
            ) : null}
          </li>
        ))}
        {outbox.map((pending) => (
          <li key={pending.clientMessageId} class="pending mine">
            <span class="sender">You</span> <span class="meta">sending…</span>
            {pending.content ? <p>{pending.content}</p> : null}
            {pending.attachmentIds?.length ? (
              <p class="meta">{`${pending.attachmentIds.length} file${pending.attachmentIds.length > 1 ? 's' : ''}`}</p>
            ) : null}
          </li>
        ))}
      </ol>
      <p class="typing" data-testid="typing" aria-live="polite">
        {typingLine(room?.typing ?? [])}
      </p>
      {sendError ? (
        <p class="error" role="alert">
          {describeError(sendError)}
        </p>
      ) : null}
      {room?.isOpen ? (
        <form class="composer" onSubmit={send} {...dropTarget(files.add)}>
          <label for="message">Message</label>
          <textarea
            id="message"
            name="content"
            rows={2}
            maxLength={4000}
            // A message of files alone needs no text.
            required={files.ready.length === 0}
            onInput={() => chat.typing(roomId)}
            onKeyDown={(event) => {
              // Enter sends, Shift+Enter starts a new line.
              if (event.key === 'Enter' && !event.shiftKey) {
                event.preventDefault();
                event.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <ChosenFiles uploads={files} />
          <div class="composer-actions">
            <AttachButton uploads={files} />
            <button type="submit" disabled={files.busy}>
              Send
            </button>
          </div>
        </form>
      ) : null}
      {room?.isOpen && isAdmin ? (
        <form class="close-room" onSubmit={closeRoom}>
          <label for="summary">Summary</label>
          <textarea
            id="summary"
            name="summary"
            rows={2}
            maxLength={2000}
            required
            onInput={() => setConfirmingClose(false)}
          />
          {confirmingClose ? (
            <p class="confirm" role="alert">
              Closing ends this chat for good and moves the order on. Close it?
            </p>
          ) : null}
          <div class="actions">
            <button type="submit" class="danger">
              {confirmingClose ? 'Yes, close for good' : 'Close chat…'}
            </button>
            {confirmingClose ? (
              <button type="button" class="secondary" onClick={() => setConfirmingClose(false)}>
                Keep it open
              </button>
            ) : null}
          </div>
        </form>
      ) : null}
    </section>
  );
}

/** Who is in the room now, besides the viewer: names, with the admins marked. */
function Presence({ present, userId }: { present: readonly Participant[]; userId: string }) {
  const others = present.filter((member) => member.id !== userId);
  return (
    <p class="presence" data-testid="presence">
      {others.length === 0
        ? 'Nobody else is here right now.'
        : `Here now: ${others.map((member) => (member.side === 'admins' ? `${member.name} (admin)` : member.name)).join(', ')}`}
    </p>
  );
}

/** "Ada is typing…", "Ada and Bo are typing…", or nothing. */
function typingLine(typing: readonly Participant[]): string {
  if (typing.length === 0) return '';
  const names = typing.map((member) => member.name);
  const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${who} ${names.length === 1 ? 'is' : 'are'} typing…`;
}

type UserMatch = components['schemas']['UserMatches']['items'][number];

/**
 * Admins: who handles the order; they take it, hand it back, or give it to another admin found by
 * name. Based on the version shown (If-Match): a change by someone else meanwhile is
 * explained, and the order shown again as it is now.
 */
function Assignment(props: { api: OrderChatApi; order: Order; user: User; onChanged: (order?: Order) => void }) {
  const { api, order, user, onChanged } = props;
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [admins, setAdmins] = useState<UserMatch[] | undefined>(undefined);
  const assign = async (assigneeId: string | null) => {
    setProblem(undefined);
    setAdmins(undefined);
    try {
      onChanged(
        await api.call(
          api.api.PUT('/orders/{id}/assignee', {
            params: { path: { id: order.id }, header: { 'If-Match': `"${order.version}"` } },
            body: { assigneeId },
          }),
        ),
      );
    } catch (caught) {
      const status = caught instanceof ApiError ? caught.status : 0;
      setProblem(
        status === 412
          ? 'Someone changed this order meanwhile: it is shown as it is now. Try again if you still want to.'
          : describeError(caught),
      );
      if (status === 409 || status === 412) onChanged();
    }
  };
  const findAdmins = async (event: Event) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get('admin')).trim();
    if (name === '') return;
    try {
      const found = await api.call(api.api.GET('/users/search', { params: { query: { name, limit: 10 } } }));
      const candidates = found.items.filter((match) => match.role === 'ADMIN');
      if (candidates.length === 0) setProblem(`No admin's name starts with “${name}”.`);
      else setAdmins(candidates);
    } catch (caught) {
      setProblem(describeError(caught));
    }
  };
  return (
    <div class="assignment">
      <p data-testid="assignee">
        {order.assignee ? (
          <>
            Handled by <strong>{order.assignee.id === user.id ? 'you' : order.assignee.name}</strong>
          </>
        ) : (
          'Nobody handles this order yet.'
        )}
      </p>
      <div class="assign-actions">
        {order.assignee?.id !== user.id ? (
          <button type="button" class="secondary" onClick={() => void assign(user.id)}>
            Take it
          </button>
        ) : null}
        {order.assignee ? (
          <button type="button" class="secondary" onClick={() => void assign(null)}>
            Unassign
          </button>
        ) : null}
        <form class="give-to" onSubmit={findAdmins} noValidate>
          <label for="give-to">Give to</label>
          <input id="give-to" name="admin" placeholder="Admin's name" autoComplete="off" />
          <button type="submit" class="secondary">
            Find
          </button>
        </form>
        {admins ? (
          <ul class="matches" aria-label="Admins found">
            {admins.map((admin) => (
              <li key={admin.id}>
                <button type="button" class="link" onClick={() => void assign(admin.id)}>
                  Give to {admin.name}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <Problem text={problem} />
    </div>
  );
}

/** Admins: a note on the order for the other admins; its customer never sees it. */
function AddNote(props: { api: OrderChatApi; orderId: string; onAdded: (note: OrderNote) => void }) {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    setBusy(true);
    try {
      const note = await props.api.call(
        props.api.api.POST('/orders/{id}/notes', {
          params: { path: { id: props.orderId } },
          body: { text: String(new FormData(form).get('text')) },
        }),
      );
      form.reset();
      setError(undefined);
      props.onAdded(note);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="add-note" onSubmit={submit} noValidate>
      <Field name="text" label="Internal note (admins only)" multiline error={fieldErrors(error).text} />
      <FormError error={error} />
      <button type="submit" class="secondary" disabled={busy}>
        Add note
      </button>
    </form>
  );
}
