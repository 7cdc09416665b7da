/** Chat messages and the pages they are read in. No AWS types. */
import type { Caller } from '../shared/caller.ts';
import type { AttachmentRef } from './attachment.ts';

export interface ChatMessage {
  id: string;
  roomId: string;
  content: string;
  createdAt: string;
  clientMessageId: string | null;
  sender: Caller;
  /** The files it sends (absent: none). */
  attachments?: AttachmentRef[];
}

/** A message in one line of words: its text, or the files it sends when it has no text. */
export const wordsOf = (message: Pick<ChatMessage, 'content' | 'attachments'>) =>
  [message.content, ...(message.attachments ?? []).map((file) => `[${file.name}]`)].filter(Boolean).join(' ');

export const HISTORY_PAGE = 50;
export const RESUME_PAGE = 200;

/**
 * API Gateway delivers no WebSocket message over 128 KB, route responses and @connections posts
 * alike (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html#apigateway-execution-service-websocket-limits-table).
 */
export const WS_MESSAGE_BYTES = 128 * 1024;
/** An HTTP page of messages: well under Lambda's 6 MB response payload limit. */
export const HTTP_PAGE_BYTES = 1024 * 1024;

/** The bytes a value takes as JSON on the wire (UTF-8). */
export const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * What a page may still hold once its envelope is written: `envelope` is the answer with an
 * empty list and the longest cursor it can carry, so filling the rest never passes `maxBytes`.
 */
export const roomFor = (envelope: unknown, maxBytes: number) => maxBytes - jsonBytes(envelope);
