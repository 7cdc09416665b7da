/**
 * The admin bootstrap (npm run create-admin, ADMIN_EMAIL at npm start): an operator's tool, not a
 * route, so it loads only the account and profile stores.
 */
import * as accounts from './identity-provider.ts';
import * as profiles from './repository.ts';
import { setRoster } from '../notifications/repository.ts';
import { toPublicUser, type PublicUser, type UserProfile } from './user.ts';

/** Creates or updates an admin account (npm run create-admin, ADMIN_EMAIL at npm start). Idempotent. */
export async function ensureAdmin(input: { email: string; password: string; name: string }): Promise<PublicUser> {
  const email = input.email.toLowerCase();
  const id = await accounts.createOrResetAccount(email, input.password);
  await accounts.setAdminGroup(id, true);
  const existing = await profiles.getProfile(id);
  const timestamp = new Date().toISOString();
  const profile: UserProfile = {
    id,
    name: input.name,
    email,
    role: 'ADMIN',
    createdAt: existing?.createdAt ?? timestamp,
    updatedAt: timestamp,
  };
  await profiles.upsertProfile(profile);
  await setRoster(id, true);
  return toPublicUser(profile);
}
