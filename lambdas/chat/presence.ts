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
export const participantOf = (member: { userId: string; name: string }, customerId: string) => ({
  id: member.userId,
  name: member.name,
  side: sideOf(member.userId, customerId),
});

/**
 * A room with more connections than this hears no presence frames (its joiners still get who is in
 * it with their history): each frame goes to every connection, so a crowd joining one by one would
 * cost a post per connection per join. An order's room holds its customer and a few admins.
 */
export const PRESENCE_FANOUT_LIMIT = 100;

/**
 * Who is in the room now, and, when `changed` (someone who joined or left) made the set of people
 * different — their first connection in, or their last one out — the room's other connections hear
 * it. A second tab of someone already there changes nothing and tells nobody. Best-effort: the
 * membership change stands whatever happens here.
 */
export async function tellPresence(
  roomId: string,
  changed: { userId: string; connectionId: string; joined: boolean },
  customerId?: string,
) {
  try {
    const [{ members, connectionIds }, owner] = await Promise.all([
      connections.presentMembers(roomId),
      customerId ?? customerOf(roomId),
    ]);
    if (owner === undefined) return [];
    const present = members.map((member) => participantOf(member, owner));
    const stillThere = members.find((member) => member.userId === changed.userId)?.connections ?? 0;
    const peopleChanged = changed.joined ? stillThere === 1 : stillThere === 0;
    const others = connectionIds.filter((id) => id !== changed.connectionId);
    if (peopleChanged && others.length > 0 && connectionIds.length <= PRESENCE_FANOUT_LIMIT) {
      await sendToConnections(others, [{ type: 'presence', roomId, members: present, at: new Date().toISOString() }]);
    }
    return present;
  } catch (error) {
    logger.warn('Telling a room who is in it failed', { roomId, error: (error as Error).name });
    return [];
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
