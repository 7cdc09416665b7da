/**
 * Orders: a customer's own with the form to place one; for admins every order, found by status,
 * assignee, customer and dates, exported as CSV; lists kept current as orders change.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatClient, components, OrderChatApi, User } from '../../client/src/index.ts';
import { Field, FormError, Problem } from './fields.tsx';
import { useConversationChanges, useOrderListChanges } from './hooks.ts';
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

/** The list's filters as the form holds them (empty: not filtered). */
interface Filters {
  status: Status | '';
  assignee: '' | 'me' | 'none';
  /** A customer picked by e-mail or by name: their id, and how the form names them. */
  customer: { id?: string; email?: string; label: string } | undefined;
  createdFrom: string;
  createdTo: string;
}
const NO_FILTERS: Filters = { status: '', assignee: '', customer: undefined, createdFrom: '', createdTo: '' };

/** The query GET /orders and GET /orders/export take for these filters. */
function filterQuery(filters: Filters) {
  return {
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.assignee ? { assignee: filters.assignee } : {}),
    ...(filters.customer?.id ? { customerId: filters.customer.id } : {}),
    ...(filters.customer?.email ? { customerEmail: filters.customer.email } : {}),
    ...(filters.createdFrom ? { createdFrom: filters.createdFrom } : {}),
    ...(filters.createdTo ? { createdTo: filters.createdTo } : {}),
  };
}

export function OrdersPage({ api, chat, user }: { api: OrderChatApi; chat: ChatClient; user: User }) {
  const isAdmin = user.role === 'ADMIN';
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
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
          params: { query: { limit: 20, ...filterQuery(filters), ...(from ? { cursor: from } : {}) } },
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
  useEffect(() => void load(null, true), [filters]);
  // Unread counts rise as the other side writes: the first page is read again (what was shown past it goes).
  useConversationChanges(chat, () => void load(null, true));
  // Live: an order placed, moved on, assigned or edited anywhere this list may show reads it again.
  useOrderListChanges(chat, () => void load(null, true));

  const hasOrders = orders !== undefined && orders.length > 0;
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
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
      {isAdmin || orders === undefined || hasOrders || filtered ? null : placeOrder}
      {isAdmin ? <GoToOrder /> : null}
      {isAdmin ? <Inbox api={api} chat={chat} /> : null}
      <section aria-labelledby="orders-list">
        <div class="list-head">
          <h2 id="orders-list">{isAdmin ? 'Orders' : 'Placed orders'}</h2>
          {isAdmin ? <ExportOrders api={api} query={filterQuery(filters)} /> : null}
        </div>
        <OrderFilters api={api} isAdmin={isAdmin} filters={filters} onChange={setFilters} />
        {error ? (
          <p class="error" role="alert">
            {describeError(error)}
          </p>
        ) : null}
        {orders === undefined ? (
          <p>Loading orders…</p>
        ) : orders.length === 0 ? (
          <p>{filtered ? 'No orders match these filters.' : 'No orders yet.'}</p>
        ) : (
          <ul class="orders" data-testid="orders">
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
                  {isAdmin ? (
                    <>
                      <span data-testid="row-customer">{order.customer?.name ?? 'Deleted account'}</span> ·{' '}
                      <span data-testid="row-assignee">
                        {order.assignee ? `handled by ${order.assignee.name}` : 'unassigned'}
                      </span>{' '}
                      ·{' '}
                    </>
                  ) : null}
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
      {!isAdmin && (hasOrders || filtered) ? placeOrder : null}
    </>
  );
}

type UserMatch = components['schemas']['UserMatches']['items'][number];

/**
 * The list's filters: status and dates for everyone; for admins who handles it, and the customer,
 * found by their e-mail or by the first letters of their name.
 */
function OrderFilters(props: {
  api: OrderChatApi;
  isAdmin: boolean;
  filters: Filters;
  onChange: (filters: Filters) => void;
}) {
  const { api, isAdmin, filters, onChange } = props;
  const [matches, setMatches] = useState<UserMatch[] | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const set = (change: Partial<Filters>) => onChange({ ...filters, ...change });
  const findCustomer = async (event: Event) => {
    event.preventDefault();
    const text = String(new FormData(event.currentTarget as HTMLFormElement).get('customer')).trim();
    setMatches(undefined);
    setProblem(undefined);
    if (text === '') return set({ customer: undefined });
    if (text.includes('@')) return set({ customer: { email: text.toLowerCase(), label: text } });
    try {
      const found = await api.call(api.api.GET('/users/search', { params: { query: { name: text, limit: 10 } } }));
      const customers = found.items.filter((match) => match.role === 'REGULAR');
      if (customers.length === 1) set({ customer: { id: customers[0]!.id, label: customers[0]!.name } });
      else if (customers.length === 0) setProblem(`No customer's name starts with “${text}”.`);
      else setMatches(customers);
    } catch (caught) {
      setProblem(describeError(caught));
    }
  };
  return (
    <div class="filters">
      <label class="inline">
        Status{' '}
        <select value={filters.status} onChange={(event) => set({ status: event.currentTarget.value as Status | '' })}>
          <option value="">All</option>
          {STATUSES.map((value) => (
            <option value={value}>{statusLabel(value)}</option>
          ))}
        </select>
      </label>
      {isAdmin ? (
        <label class="inline">
          Handled by{' '}
          <select
            value={filters.assignee}
            onChange={(event) => set({ assignee: event.currentTarget.value as Filters['assignee'] })}
          >
            <option value="">Anyone</option>
            <option value="me">Me</option>
            <option value="none">Nobody yet</option>
          </select>
        </label>
      ) : null}
      <label class="inline">
        Placed from{' '}
        <input
          type="date"
          value={filters.createdFrom}
          onChange={(event) => set({ createdFrom: event.currentTarget.value })}
        />
      </label>
      <label class="inline">
        to{' '}
        <input
          type="date"
          value={filters.createdTo}
          onChange={(event) => set({ createdTo: event.currentTarget.value })}
        />
      </label>
      {isAdmin ? (
        <form class="customer-filter" onSubmit={findCustomer} noValidate>
          <label for="customer-filter">Customer</label>
          <input
            id="customer-filter"
            name="customer"
            placeholder="E-mail or first letters of the name"
            autoComplete="off"
            defaultValue={filters.customer?.label ?? ''}
          />
          <button type="submit" class="secondary">
            Find
          </button>
          {filters.customer ? (
            <button type="button" class="secondary" onClick={() => set({ customer: undefined })}>
              Any customer
            </button>
          ) : null}
          <Problem text={problem} />
          {matches ? (
            <ul class="matches" aria-label="Customers found">
              {matches.map((match) => (
                <li key={match.id}>
                  <button
                    type="button"
                    class="link"
                    onClick={() => {
                      setMatches(undefined);
                      set({ customer: { id: match.id, label: match.name } });
                    }}
                  >
                    {match.name} ({match.email})
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}

/**
 * Admins: the list as it is filtered, as a CSV file. The API answers a part of at most 1,000 orders
 * a request and links the next (`Link: rel="next"`); the parts are joined here into one file.
 */
function ExportOrders({ api, query }: { api: OrderChatApi; query: Record<string, string> }) {
  const [state, setState] = useState<{ busy: boolean; rows?: number; error?: unknown }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      const parts: string[] = [];
      let cursor: string | undefined;
      do {
        const answer = await api.api.GET('/orders/export', {
          params: { query: { ...query, ...(cursor ? { cursor } : {}) } },
          parseAs: 'text',
        });
        if (answer.error !== undefined || !answer.response.ok) {
          await api.call(Promise.resolve(answer));
          return;
        }
        parts.push(answer.data ?? '');
        const next = /<([^>]+)>;\s*rel="next"/.exec(answer.response.headers.get('link') ?? '')?.[1];
        cursor = next ? (new URL(next, location.href).searchParams.get('cursor') ?? undefined) : undefined;
        setState({ busy: true, rows: parts.join('').split('\r\n').length - 2 });
      } while (cursor);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob(parts, { type: 'text/csv' }));
      link.download = `orders-${new Date().toISOString().slice(0, 10)}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      setState({ busy: false });
    } catch (caught) {
      setState({ busy: false, error: caught });
    }
  };
  return (
    <div class="export">
      <button type="button" class="secondary" onClick={download} disabled={state.busy}>
        {state.busy ? `Exporting… ${state.rows ?? 0} orders` : 'Export CSV'}
      </button>
      {state.error ? (
        <p class="error" role="alert">
          {describeError(state.error)}
        </p>
      ) : null}
    </div>
  );
}

type WaitingRoom = components['schemas']['WaitingRoom'];

/** Admins: the conversations waiting for an answer, oldest wait first. */
function Inbox({ api, chat }: { api: OrderChatApi; chat: ChatClient }) {
  const [rooms, setRooms] = useState<WaitingRoom[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [assignee, setAssignee] = useState<'' | 'me' | 'none'>('');
  const load = async (from: string | null) => {
    try {
      const page = await api.call(
        api.api.GET('/chat/inbox', {
          params: { query: { limit: 20, ...(assignee ? { assignee } : {}), ...(from ? { cursor: from } : {}) } },
        }),
      );
      setRooms((current) => (from ? [...(current ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => void load(null), [assignee]);
  // Live: a customer writes, an admin answers; an order waiting is assigned.
  useConversationChanges(chat, () => void load(null));
  // Filtered by assignee, a reassignment moves rooms in or out.
  useOrderListChanges(
    chat,
    () => void load(null),
    (change) => assignee !== '' && change === 'assigned',
  );
  return (
    <section aria-labelledby="inbox">
      <div class="list-head">
        <h2 id="inbox">Waiting for an answer</h2>
        <label class="inline">
          For{' '}
          <select value={assignee} onChange={(event) => setAssignee(event.currentTarget.value as '' | 'me' | 'none')}>
            <option value="">Anyone</option>
            <option value="me">Me</option>
            <option value="none">Nobody yet</option>
          </select>
        </label>
      </div>
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
              <span class="meta">
                waiting {waitedFor(room.waitingSince)} ·{' '}
                {room.assignee ? `handled by ${room.assignee.name}` : 'unassigned'}
              </span>
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
      <Problem text={problem} />
    </form>
  );
}
