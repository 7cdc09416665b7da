/**
 * Presence and typing: who is in a room now (joined on a live connection), told to its members
 * whenever that changes, and who is typing, told and forgotten (nothing about either is stored
 * beyond the memberships themselves).
 */
import type { Caller } from '../shared/caller.ts';
import { logger } from '../shared/logger.ts';
import { takeQuota } from '../limits/limits.ts';
import { orderOf, visibleRoomWithCustomer } from '../orders/rooms.ts';
import * as connections from './connections-repository.ts';
import { sideOf } from './conversation.ts';
import { sendToConnections } from './fanout.ts';

/** How a member shows in a room: their name and side. */
const participantOf = (member: { userId: string; name: string }, customerId: string) => ({
  id: member.userId,
  name: member.name,
  side: sideOf(member.userId, customerId),
});

/**
 * Tells a room who is in it now (after a join, a leave or a disconnect): everyone joined, each once.
 * Best-effort: the membership change stands whatever happens here.
 */
export async function tellPresence(roomId: string, customerId?: string): Promise<void> {
  try {
    const [{ members: present, connectionIds }, owner] = await Promise.all([
      connections.presentMembers(roomId),
      customerId ?? customerOf(roomId),
    ]);
    if (owner === undefined || connectionIds.length === 0) return;
    const frame = {
      type: 'presence' as const,
      roomId,
      members: present.map((member) => participantOf(member, owner)),
      at: new Date().toISOString(),
    };
    await sendToConnections(connectionIds, [frame]);
  } catch (error) {
    logger.warn('Telling a room who is in it failed', { roomId, error: (error as Error).name });
  }
}

const customerOf = async (roomId: string) => (await orderOf(roomId))?.userId;

/**
 * The caller is typing in a room they may see: its other connections hear it. Never stored; limited
 * per connection (a counter, not the message), so one tab can't flood a room.
 */
export async function typing(caller: Caller, connectionId: string, roomId: string) {
  const [{ customerId }] = await Promise.all([
    visibleRoomWithCustomer(caller, roomId),
    takeQuota(`CONN#${connectionId}`, 'typing'),
  ]);
  const others = (await connections.roomMembers(roomId)).filter((id) => id !== connectionId);
  const frame = {
    type: 'userTyping' as const,
    roomId,
    user: participantOf({ userId: caller.id, name: caller.name }, customerId),
  };
  await sendToConnections(others, [frame]);
  return undefined;
}
