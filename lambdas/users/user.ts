/** The user as the product knows them. Pure domain: no AWS types. */
import type { Role } from '../shared/caller.ts';
import { ConflictError } from '../shared/errors.ts';

export interface UserProfile {
  id: string;
  name: string;
  email: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
  /** Set when an admin deleted the account; the profile stays so chat history keeps its names. */
  deletedAt?: string;
}

export type PublicUser = Omit<UserProfile, 'deletedAt'>;

export function toPublicUser(profile: UserProfile): PublicUser {
  const { id, name, email, role, createdAt, updatedAt } = profile;
  return { id, name, email, role, createdAt, updatedAt };
}

export function assertMayChangeRole(actorId: string, targetId: string): void {
  if (actorId === targetId) throw new ConflictError('You cannot change your own role.');
}

export function assertMayDelete(actorId: string, targetId: string): void {
  if (actorId === targetId) throw new ConflictError('You cannot delete your own account.');
}
