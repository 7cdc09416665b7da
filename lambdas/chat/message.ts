/** Chat messages and who may do what in a room. No AWS types. */
import type { Member } from '../shared/caller.ts';

export interface ChatMessage {
  id: string;
  roomId: string;
  content: string;
  createdAt: string;
  clientMessageId: string | null;
  sender: Member;
}

/** Who is acting in a room, as the $connect authorizer established. */
export type ChatMember = Member;

export const HISTORY_PAGE = 50;
export const RESUME_PAGE = 200;
