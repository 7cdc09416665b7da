import * as z from 'zod';
import { ChatMessage, RoomId } from './chat.ts';
import { Cursor } from './common.ts';
import { Order, OrderEvent, OrderId } from './orders.ts';
import { User } from './users.ts';

export const DataExportQuery = z.strictObject({ cursor: Cursor.optional() });

/**
 * A page of everything the service holds about the caller; the client joins the pages (by order
 * and room) into one document. Parts of one order may run over several pages, in this order: the
 * order, its history (newest events first), its room's messages (newest first).
 */
export const DataExportPage = z
  .object({
    /** The profile, on the first page only. */
    profile: User.nullable(),
    /** The orders the caller placed, in full. */
    orders: z.array(Order),
    /** Events of those orders. */
    history: z.array(z.object({ orderId: OrderId, events: z.array(OrderEvent) })),
    /** Messages of their rooms, each with its author's name and role. */
    messages: z.array(z.object({ roomId: RoomId, items: z.array(ChatMessage) })),
    /** Where the next page starts; null on the last. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'DataExportPage' });
