/** Chat messages and who may do what in a room. No AWS types. */
import type { Role } from '../shared/caller.ts';

export interface ChatMessage {
  id: string;
  roomId: string;
  content: string;
  createdAt: string;
  clientMessageId: string | null;
  sender: { id: string; name: string; role: Role };
}

/** Who is acting, as the $connect authorizer established (or the HTTP token says). */
export interface ChatMember {
  id: string;
  name: string;
  role: Role;
}

export const HISTORY_PAGE = 50;
export const RESUME_PAGE = 200;
