/** Chat messages and the pages they are read in. No AWS types. */
import type { Caller } from '../shared/caller.ts';

export interface ChatMessage {
  id: string;
  roomId: string;
  content: string;
  createdAt: string;
  clientMessageId: string | null;
  sender: Caller;
}

export const HISTORY_PAGE = 50;
export const RESUME_PAGE = 200;
