/**
 * "Your data": everything the service holds about a user — their profile, the orders they placed
 * with each one's history, and the conversation of each order's room with its authors' names —
 * handed out in pages the client joins into one JSON document (the client library's
 * `exportMyData`). One answer could outgrow Lambda's 6 MB response for a long-standing customer,
 * so each page is bounded (page-bounds.ts), and its cursor says where the next one starts. Each part comes from the same use case that shows it
 * to the user (and checks they may see it), so the export holds exactly what they can see.
 */
import type { Caller } from '../shared/caller.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { jsonBytes } from '../chat/message.ts';
import { messagesOf } from '../chat/service.ts';
import { historyPageOf, ownOrderIds } from '../orders/service.ts';
import { me } from '../users/service.ts';
import { EXPORT_PAGE_BYTES, EXPORT_PAGE_STEPS } from './page-bounds.ts';

/** Orders listed at once from the owner's index; their ids wait in the cursor. */
const ORDERS_LISTED = 10;
const PART_LIMIT = 100;
const CURSOR_SCOPE = 'data-export';

/**
 * Where an export stands: the owner's orders index read up to `ordersKey` (null: to its end), the
 * listed orders not yet begun (`queue`), and within order `orderId`, its `part` from `at`.
 */
interface Position {
  ordersKey?: Record<string, unknown> | null;
  queue?: string[];
  orderId?: string;
  part?: 'history' | 'messages';
  at?: string | number;
}

type HistoryPage = Awaited<ReturnType<typeof historyPageOf>>;

export interface DataExportPage {
  profile: Awaited<ReturnType<typeof me>> | null;
  orders: HistoryPage['order'][];
  history: { orderId: string; events: HistoryPage['items'] }[];
  messages: { roomId: string; items: Awaited<ReturnType<typeof messagesOf>>['items'] }[];
  nextCursor: string | null;
}

export async function exportPage(caller: Caller, cursor: string | undefined): Promise<DataExportPage> {
  const scope = `${CURSOR_SCOPE}#${caller.id}`;
  const started = cursor === undefined;
  let position = ((await decodeCursor(cursor, scope)) ?? {}) as Position;
  const page: DataExportPage = {
    profile: started ? await me(caller) : null,
    orders: [],
    history: [],
    messages: [],
    nextCursor: null,
  };
  let bytes = jsonBytes(page);
  for (let step = 0; step < EXPORT_PAGE_STEPS && bytes < EXPORT_PAGE_BYTES; step += 1) {
    const next = await exportStep(caller, position, page);
    if (!next) return page; // every order done
    bytes += next.bytes;
    position = next.position;
  }
  return { ...page, nextCursor: await encodeCursor(position as Record<string, unknown>, scope) };
}

/** One part of the export into `page`: the position after it and the bytes it added, or undefined at the end. */
async function exportStep(
  caller: Caller,
  position: Position,
  page: DataExportPage,
): Promise<{ position: Position; bytes: number } | undefined> {
  const { orderId, ordersKey, queue = [] } = position;
  if (!orderId) {
    const [next, ...rest] = queue;
    if (next) return { position: { ordersKey, queue: rest, orderId: next, part: 'history' }, bytes: 0 };
    if (ordersKey === null) return undefined;
    const listed = await ownOrderIds(caller, ORDERS_LISTED, ordersKey);
    if (listed.ids.length === 0) return undefined;
    return { position: { ordersKey: listed.lastKey ?? null, queue: listed.ids }, bytes: 0 };
  }
  const rest = { ordersKey, queue };
  if (position.part === 'history') {
    const before = typeof position.at === 'number' ? position.at : undefined;
    // The newest page of the history reads the order in the same Query (and checks who may see it).
    const history = await historyPageOf(caller, orderId, { limit: PART_LIMIT, ...(before ? { before } : {}) });
    if (before === undefined) page.orders.push(history.order);
    page.history.push({ orderId, events: history.items });
    const after: Position =
      history.nextCursor === null
        ? { ...rest, orderId, part: 'messages' }
        : { ...rest, orderId, part: 'history', at: history.nextCursor };
    return { position: after, bytes: jsonBytes(before === undefined ? history : history.items) };
  }
  // Its room: the caller was just shown the order as its owner.
  const before = typeof position.at === 'string' ? position.at : undefined;
  const messages = await messagesOf(orderId, before, PART_LIMIT);
  if (messages.items.length > 0) page.messages.push({ roomId: orderId, items: messages.items });
  const after: Position =
    messages.nextCursor === null ? rest : { ...rest, orderId, part: 'messages', at: messages.nextCursor };
  return { position: after, bytes: jsonBytes(messages.items) };
}
