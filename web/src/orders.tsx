/** Orders: a customer's own with the form to place one; for admins every order, filtered by status. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatClient, components, OrderChatApi, User } from '../../client/src/index.ts';
import { Field, FormError } from './fields.tsx';
import { useConversationChanges } from './hooks.ts';
import {
  describeError,
  fieldErrors,
  formatDateTime,
  parseSpecifications,
  statusLabel,
  STATUSES,
  type Status,
} from './format.ts';

type Order = components['schemas']['Order'];
type OrderSummary = components['schemas']['OrderSummary'];

export function OrdersPage({ api, chat, user }: { api: OrderChatApi; chat: ChatClient; user: User }) {
  const isAdmin = user.role === 'ADMIN';
  const [status, setStatus] = useState<Status | ''>('');
  const [orders, setOrders] = useState<OrderSummary[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const load = async (from: string | null, replace: boolean) => {
    try {
      const page = await api.call(
        api.api.GET('/orders', {
          params: { query: { limit: 20, ...(status ? { status } : {}), ...(from ? { cursor: from } : {}) } },
        }),
      );
      setOrders((current) => (replace ? page.items : [...(current ?? []), ...page.items]));
      setCursor(page.nextCursor);
      setTotal(page.unreadTotal);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => void load(null, true), [status]);
  // Unread counts rise as the other side writes: the first page is read again (what was shown past it goes).
  useConversationChanges(chat, () => void load(null, true));

  const hasOrders = orders !== undefined && orders.length > 0;
  const placeOrder = <PlaceOrder api={api} onPlaced={(order) => (location.hash = `#/orders/${order.id}`)} />;
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {isAdmin ? 'All orders' : 'Your orders'}
      </h1>
      {/* Across every order, not only those shown: a customer's unread messages, the admins' waiting customers. */}
      <p class="unread-total" data-testid="unread-total" aria-live="polite">
        {total === 0
          ? ''
          : isAdmin
            ? `${total} ${total === 1 ? 'conversation waits' : 'conversations wait'} for an answer`
            : `${total} unread ${total === 1 ? 'message' : 'messages'}`}
      </p>
      {/* A returning customer comes for their orders: the form goes below them (above, until there are any;
          nowhere until the list has loaded, so nothing jumps). */}
      {isAdmin || orders === undefined || hasOrders ? null : placeOrder}
      {isAdmin ? <GoToOrder /> : null}
      {isAdmin ? <Inbox api={api} chat={chat} /> : null}
      <section aria-labelledby="orders-list">
        <div class="list-head">
          <h2 id="orders-list">{isAdmin ? 'Orders' : 'Placed orders'}</h2>
          {isAdmin ? (
            <label class="inline">
              Status{' '}
              <select value={status} onChange={(event) => setStatus(event.currentTarget.value as Status | '')}>
                <option value="">All</option>
                {STATUSES.map((value) => (
                  <option value={value}>{statusLabel(value)}</option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
        {error ? (
          <p class="error" role="alert">
            {describeError(error)}
          </p>
        ) : null}
        {orders === undefined ? (
          <p>Loading orders…</p>
        ) : orders.length === 0 ? (
          <p>No orders yet.</p>
        ) : (
          <ul class="orders">
            {orders.map((order) => (
              <li key={order.id}>
                <a href={`#/orders/${order.id}`}>{order.description}</a>
                {order.unread > 0 ? (
                  <span
                    class="unread"
                    aria-label={`${order.unread} unread ${order.unread === 1 ? 'message' : 'messages'}`}
                  >
                    {order.unread}
                  </span>
                ) : null}
                <span class={`status status-${order.status}`}>{statusLabel(order.status)}</span>
                <span class="meta">
                  {order.quantity} × · {formatDateTime(order.createdAt)}
                  {order.chatRoom.isOpen ? '' : ' · chat closed'}
                </span>
              </li>
            ))}
          </ul>
        )}
        {cursor ? (
          <button type="button" onClick={() => void load(cursor, false)}>
            Show more
          </button>
        ) : null}
      </section>
      {!isAdmin && hasOrders ? placeOrder : null}
    </>
  );
}

type WaitingRoom = components['schemas']['WaitingRoom'];

/** Admins: the conversations waiting for an answer, oldest wait first. */
function Inbox({ api, chat }: { api: OrderChatApi; chat: ChatClient }) {
  const [rooms, setRooms] = useState<WaitingRoom[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const load = async (from: string | null) => {
    try {
      const page = await api.call(
        api.api.GET('/chat/inbox', { params: { query: { limit: 20, ...(from ? { cursor: from } : {}) } } }),
      );
      setRooms((current) => (from ? [...(current ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => void load(null), []);
  // Live: a customer writes, an admin answers.
  useConversationChanges(chat, () => void load(null));
  return (
    <section aria-labelledby="inbox">
      <h2 id="inbox">Waiting for an answer</h2>
      {error ? (
        <p class="error" role="alert">
          {describeError(error)}
        </p>
      ) : rooms === undefined ? (
        <p>Loading…</p>
      ) : rooms.length === 0 ? (
        <p>Nobody is waiting.</p>
      ) : (
        <ul class="orders inbox">
          {rooms.map((room) => (
            <li key={room.roomId}>
              <a href={`#/orders/${room.roomId}`}>{room.customer.name}</a>
              <span class="meta">waiting {waitedFor(room.waitingSince)}</span>
              <p class="preview">{room.lastMessage.preview}</p>
            </li>
          ))}
        </ul>
      )}
      {cursor ? (
        <button type="button" onClick={() => void load(cursor)}>
          Show more waiting
        </button>
      ) : null}
    </section>
  );
}

/** "3 min", "2 h", "4 days": how long a customer has waited. */
export function waitedFor(since: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

function PlaceOrder({ api, onPlaced }: { api: OrderChatApi; onPlaced: (order: Order) => void }) {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  // One key per order being placed: a retried submit after a lost answer places it once.
  const idempotencyKey = useRef(crypto.randomUUID());
  const fields = fieldErrors(error);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      const order = await api.call(
        api.api.POST('/orders', {
          params: { header: { 'Idempotency-Key': idempotencyKey.current } },
          body: {
            description: String(form.get('description')),
            quantity: Number(form.get('quantity')),
            specifications: parseSpecifications(String(form.get('specifications') ?? '')) as Order['specifications'],
            metadata: { source: 'web' },
          },
        }),
      );
      idempotencyKey.current = crypto.randomUUID();
      onPlaced(order);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="place-order" class="card">
      <h2 id="place-order">Place an order</h2>
      <form onSubmit={submit} noValidate>
        <Field name="description" label="What do you need?" error={fields.description} />
        <Field name="quantity" label="Quantity" type="number" min={1} defaultValue="1" error={fields.quantity} />
        <Field
          name="specifications"
          label="Specifications (optional)"
          multiline
          hint="One per line, e.g. colour: navy"
          error={fields.specifications}
        />
        <FormError error={error} />
        <button type="submit" disabled={busy}>
          Place order
        </button>
      </form>
    </section>
  );
}

/** Admins: straight to an order by its id (a customer quotes it; the order page says if there is none). */
function GoToOrder() {
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const submit = (event: Event) => {
    event.preventDefault();
    const id = String(new FormData(event.currentTarget as HTMLFormElement).get('orderId'))
      .trim()
      .toUpperCase();
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) {
      setProblem('An order id is 26 letters and digits, as on the order page.');
      return;
    }
    setProblem(undefined);
    location.hash = `#/orders/${id}`;
  };
  return (
    <form class="go-to-order" onSubmit={submit} noValidate>
      <label for="go-to-order">Order id</label>
      <input id="go-to-order" name="orderId" autoComplete="off" spellcheck={false} />
      <button type="submit" class="secondary">
        Open
      </button>
      {problem ? (
        <p class="error" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
