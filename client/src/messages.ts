/** A room's messages as a client must show them: each once, in id order (ULIDs sort by time). */
import type { components } from './generated/frames.ts';

export type ChatMessage = components['schemas']['ChatMessage'];

/** Merges `incoming` into `sorted` (sorted by id, no duplicates): a new array, or the same one when nothing is new. */
export function mergeMessages(
  sorted: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): readonly ChatMessage[] {
  let result: ChatMessage[] | undefined;
  for (const message of incoming) {
    const list = result ?? sorted;
    const at = insertionPoint(list, message.id);
    if (list[at]?.id === message.id) continue;
    result ??= [...sorted];
    result.splice(at, 0, message);
  }
  return result ?? sorted;
}

function insertionPoint(list: readonly ChatMessage[], id: string): number {
  // Live messages almost always go last.
  if (list.length === 0 || list[list.length - 1]!.id < id) return list.length;
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle]!.id < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

/** The time a message id (a ULID) was made at, in epoch ms. */
export function timeOfId(id: string): number {
  let time = 0;
  for (const char of id.slice(0, TIME_CHARS)) time = time * 32 + CROCKFORD.indexOf(char);
  return time;
}

/** The smallest id made at `time`: `after` this, a room's history holds every message made from then on. */
export function firstIdAt(time: number): string {
  let encoded = '';
  for (let rest = Math.max(0, Math.floor(time)), i = 0; i < TIME_CHARS; i++, rest = Math.floor(rest / 32)) {
    encoded = CROCKFORD[rest % 32] + encoded;
  }
  return encoded + '0'.repeat(RANDOM_CHARS);
}

/**
 * Where to resume a room after a drop. Not simply after the last id seen: ids are made by many
 * servers, and a message stored a moment before the last one seen may still be on its way. Resuming
 * a few seconds earlier costs a few repeats, which the merge drops.
 */
export function resumeAfter(lastSeenId: string | undefined, overlapMs: number): string {
  return lastSeenId ? firstIdAt(timeOfId(lastSeenId) - overlapMs) : firstIdAt(0);
}

/** A fresh clientMessageId: 128 random bits where the platform has a CSPRNG, else time + Math.random. */
export function newClientMessageId(): string {
  const bytes = new Uint8Array(16);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  const random = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${Date.now().toString(36)}-${random}`;
}
