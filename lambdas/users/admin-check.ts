/**
 * Is this caller, whose token says admin, still an admin right now? The token's
 * group claim can be 15 minutes old; the profile is current. Kept apart from
 * the users service so the handler chain pulls in only the profile repository.
 */
import type { Caller } from '../shared/caller.ts';
import { getProfile } from './repository.ts';

export async function isStillAdmin(caller: Caller): Promise<boolean> {
  const profile = await getProfile(caller.id);
  return profile?.role === 'ADMIN' && !profile.deletedAt;
}
