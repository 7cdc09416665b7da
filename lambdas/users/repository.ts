// Secondary adapter: owns every key and expression of user profile items.
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { codeLifetimeSeconds } from '../identity.ts';
import { conditionHolds, dynamo, itemKey, type Lookup } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import type { Role } from '../shared/caller.ts';
import type { EmailChange, UserEvent, UserProfile } from './user.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

const USERS_COLLECTION = 'USERS';
export const userKey = (id: string) => ({ pk: `USER#${id}`, sk: 'PROFILE' });
const listingKeys = (profile: Pick<UserProfile, 'id' | 'createdAt'>) => ({
  gsi1pk: USERS_COLLECTION,
  gsi1sk: `${profile.createdAt}#${profile.id}`,
});
// A user is found by a prefix of their name, in any case, through an item of its own beside the
// profile (the profile stays under 1 KB: every request reads it): the lookup index's NAMES
// partition, the lower-cased name first. It holds the keys only; a search reads the profiles.
const NAMES = 'NAMES';
const nameEntryKey = (id: string) => ({ pk: userKey(id).pk, sk: 'NAME' });
const nameEntry = (profile: Pick<UserProfile, 'id' | 'name'>) => ({
  ...nameEntryKey(profile.id),
  entity: 'UserName',
  id: profile.id,
  gsi8pk: NAMES,
  gsi8sk: `${profile.name.toLowerCase()}#${profile.id}`,
});

/** Files the user under their name for the search (idempotent: the same name writes the same item). */
async function fileName(profile: Pick<UserProfile, 'id' | 'name'>): Promise<void> {
  await dynamo().send(new PutCommand({ TableName, Item: nameEntry(profile) }));
}

function fromItem(item: Record<string, unknown> | undefined): UserProfile | undefined {
  if (!item) return undefined;
  const {
    id,
    name,
    email,
    role,
    createdAt,
    updatedAt,
    deletedAt,
    sessionsEndedAt,
    endedSessions,
    emailConfirmation,
    passwordReset,
    twoFactorSince,
  } = item as unknown as UserProfile;
  return {
    id,
    name,
    email,
    role,
    createdAt,
    updatedAt,
    ...(deletedAt ? { deletedAt } : {}),
    ...(sessionsEndedAt !== undefined ? { sessionsEndedAt: Number(sessionsEndedAt) } : {}),
    ...(endedSessions ? { endedSessions } : {}),
    ...(emailConfirmation ? { emailConfirmation: { codeSentAt: Number(emailConfirmation.codeSentAt) } } : {}),
    ...(passwordReset
      ? {
          passwordReset: {
            ...(passwordReset.codeSentAt !== undefined ? { codeSentAt: Number(passwordReset.codeSentAt) } : {}),
            ...(passwordReset.usedCode ? { usedCode: passwordReset.usedCode } : {}),
          },
        }
      : {}),
    ...(twoFactorSince !== undefined ? { twoFactorSince: Number(twoFactorSince) } : {}),
  };
}

export function createProfileParams(profile: UserProfile) {
  return {
    TableName,
    Item: { ...userKey(profile.id), ...listingKeys(profile), entity: 'User', ...profile },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Creates the profile; resolves false when it exists already (a converging retry). */
export async function createProfile(profile: UserProfile): Promise<boolean> {
  const created = await conditionHolds(dynamo().send(new PutCommand(createProfileParams(profile))));
  if (created) await fileName(profile);
  return created;
}

export async function getProfile(id: string): Promise<UserProfile | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName, Key: userKey(id), ConsistentRead: true }));
  return fromItem(result.Item);
}

/** Several profiles at once (an e-mail's recipients, read as they are now), for a shared BatchGetItem. */
export function profilesLookup(ids: readonly string[]): Lookup<Map<string, UserProfile>> {
  return {
    tableName: TableName,
    keys: ids.map(userKey),
    read: (found) => {
      const profiles = new Map<string, UserProfile>();
      for (const id of ids) {
        const profile = fromItem(found.get(itemKey(userKey(id))));
        if (profile) profiles.set(id, profile);
      }
      return profiles;
    },
  };
}

/**
 * The per-request read that says whether a session is live and what role it acts
 * with: eventually consistent (half the capacity; DynamoDB converges well within
 * the 1 s that a revocation is allowed to take) and under 1 KB.
 */
export async function getAccount(id: string): Promise<UserProfile | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName, Key: userKey(id) }));
  return fromItem(result.Item);
}

/** Remembers one logged-out session and forgets entries whose tokens have all expired. */
export async function addEndedSession(id: string, add: [string, number], drop: string[], hadMap: boolean) {
  if (!hadMap) {
    if (await createEndedSessions(id, add)) return;
  }
  try {
    await addToEndedSessions(id, add, drop);
  } catch (error) {
    // The map was read a moment ago, but a sign-out everywhere has removed it since: start it again.
    if ((error as Error).name !== 'ValidationException') throw error;
    if (!(await createEndedSessions(id, add))) await addToEndedSessions(id, add, []);
  }
}

/** Starts the map with one entry; false when another logout started it first (add to it instead). */
function createEndedSessions(id: string, add: [string, number]): Promise<boolean> {
  return conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName,
        Key: userKey(id),
        UpdateExpression: 'SET endedSessions = :map',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(endedSessions)',
        ExpressionAttributeValues: { ':map': { [add[0]]: add[1] } },
      }),
    ),
  );
}

async function addToEndedSessions(id: string, add: [string, number], drop: string[]): Promise<void> {
  const names: Record<string, string> = { '#ended': 'endedSessions', '#add': add[0] };
  drop.forEach((key, index) => (names[`#d${index}`] = key));
  await dynamo().send(
    new UpdateCommand({
      TableName,
      Key: userKey(id),
      UpdateExpression:
        'SET #ended.#add = :until' + (drop.length ? ` REMOVE ${drop.map((_, i) => `#ended.#d${i}`).join(', ')}` : ''),
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':until': add[1] },
    }),
  );
}

/** Ends every session that began at or before `at` (sign out everywhere). */
export async function endSessionsBefore(id: string, at: number): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName,
      Key: userKey(id),
      UpdateExpression: 'SET sessionsEndedAt = :at REMOVE endedSessions',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
}

export function listProfilesParams(limit: number, startKey: Record<string, unknown> | undefined) {
  return {
    TableName,
    IndexName: 'byCollection',
    KeyConditionExpression: 'gsi1pk = :users',
    ExpressionAttributeValues: { ':users': USERS_COLLECTION },
    ScanIndexForward: false,
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export async function listProfiles(limit: number, startKey: Record<string, unknown> | undefined) {
  const result = await dynamo().send(new QueryCommand(listProfilesParams(limit, startKey)));
  return {
    items: (result.Items ?? []).map((item) => fromItem(item)!),
    lastKey: result.LastEvaluatedKey,
  };
}

/** Updates fields of a live (not deleted) profile; resolves undefined when there is none. */
async function updateLive(
  id: string,
  set: Record<string, unknown>,
  extraCondition?: { expression: string; names: Record<string, string>; values: Record<string, unknown> },
): Promise<UserProfile | undefined> {
  const names: Record<string, string> = { ...extraCondition?.names };
  const values: Record<string, unknown> = { ...extraCondition?.values };
  const assignments = Object.entries(set).map(([field, value], index) => {
    names[`#f${index}`] = field;
    values[`:v${index}`] = value;
    return `#f${index} = :v${index}`;
  });
  try {
    const result = await dynamo().send(
      new UpdateCommand({
        TableName,
        Key: userKey(id),
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: [
          'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
          ...(extraCondition ? [extraCondition.expression] : []),
        ].join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return fromItem(result.Attributes);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** A new name, and the search's entry for it (a rename that stopped between the two is put right by the next). */
export async function renameProfile(id: string, name: string, now: string) {
  const renamed = await updateLive(id, { name, updatedAt: now });
  if (renamed) await fileName(renamed);
  return renamed;
}

/**
 * For a live profile written before names were filed: the write that files it (creating its name
 * entry, never over one a newer write made).
 */
export function lookupBackfill(item: Record<string, unknown>) {
  if (item.entity !== 'User' || item.sk !== 'PROFILE' || item.deletedAt !== undefined) return undefined;
  const { entity, id, gsi8pk, gsi8sk } = nameEntry({ id: String(item.id), name: String(item.name) });
  return {
    TableName,
    Key: nameEntryKey(id),
    UpdateExpression: 'SET entity = :entity, id = :id, gsi8pk = :pk, gsi8sk = :sk',
    ConditionExpression: 'attribute_not_exists(pk)',
    ExpressionAttributeValues: { ':entity': entity, ':id': id, ':pk': gsi8pk, ':sk': gsi8sk },
  };
}

/**
 * The ids of users whose lower-cased name starts with `prefix`'s, by name: one Query of the lookup
 * index. Deleted users' entries may linger; whoever reads the profiles leaves them out.
 */
export async function idsByName(prefix: string, limit: number): Promise<string[]> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName,
      IndexName: 'lookup',
      KeyConditionExpression: 'gsi8pk = :names AND begins_with(gsi8sk, :prefix)',
      ExpressionAttributeValues: { ':names': NAMES, ':prefix': prefix.toLowerCase() },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => String(item.id));
}

/** Sets the role only if it is still `expected`, so two admins can't interleave half-changes. */
export function setProfileRole(id: string, role: Role, expected: Role, now: string) {
  return updateLive(
    id,
    { role, updatedAt: now },
    {
      expression: '#role = :expected',
      names: { '#role': 'role' },
      values: { ':expected': expected },
    },
  );
}

/** Marks the profile deleted and takes it out of the listing index; the item stays for the record. */
export async function markProfileDeleted(id: string, now: string): Promise<boolean> {
  return conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName,
        Key: userKey(id),
        UpdateExpression: 'SET deletedAt = :now, updatedAt = :now REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
        ExpressionAttributeValues: { ':now': now },
      }),
    ),
  );
}

/** Puts an admin profile in place whatever was there (used by create-admin). */
export async function upsertProfile(profile: UserProfile): Promise<void> {
  const { deletedAt: _deleted, ...live } = profile;
  await dynamo().send(
    new PutCommand({ TableName, Item: { ...userKey(live.id), ...listingKeys(live), entity: 'User', ...live } }),
  );
  await fileName(live);
}

/** A sign-up that never confirmed its address goes for good when the address signs up again. */
export async function deletePendingProfile(id: string): Promise<boolean> {
  return conditionHolds(
    dynamo().send(
      new DeleteCommand({
        TableName,
        Key: userKey(id),
        ConditionExpression: 'attribute_exists(emailConfirmation)',
      }),
    ),
  );
}

/** A new code went to the address that awaits confirmation (a no-op once it is confirmed). */
export async function recordEmailCodeSent(id: string, at: number): Promise<void> {
  await conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName,
        Key: userKey(id),
        UpdateExpression: 'SET emailConfirmation.codeSentAt = :at',
        ConditionExpression: 'attribute_exists(emailConfirmation) AND attribute_not_exists(deletedAt)',
        ExpressionAttributeValues: { ':at': at },
      }),
    ),
  );
}

/**
 * A new address waiting for its code, in an item of its own beside the profile: the profile is
 * read on every request and stays under 1 KB, and two addresses of 254 characters would not fit.
 * It goes by itself (TTL) once its code has expired.
 */
const emailChangeKey = (id: string) => ({ pk: userKey(id).pk, sk: 'EMAIL_CHANGE' });

/** Records a new address waiting for its code, replacing any asked for before. */
export async function recordEmailChange(id: string, change: EmailChange): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName,
      Item: {
        ...emailChangeKey(id),
        entity: 'EmailChange',
        address: change.address,
        codeSentAt: change.codeSentAt,
        expiresAt: change.codeSentAt + codeLifetimeSeconds.verifyEmail,
      },
    }),
  );
}

export async function getEmailChange(id: string): Promise<EmailChange | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName, Key: emailChangeKey(id), ConsistentRead: true }));
  return Item ? { address: String(Item.address), codeSentAt: Number(Item.codeSentAt) } : undefined;
}

/**
 * The new address is confirmed: in one transaction it becomes the profile's and stops waiting,
 * if it is still the one waiting and the account still lives. False when either no longer holds.
 */
export async function completeEmailChange(id: string, address: string, now: string): Promise<boolean> {
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName,
              Key: userKey(id),
              UpdateExpression: 'SET email = :address, updatedAt = :now',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
              ExpressionAttributeValues: { ':address': address, ':now': now },
            },
          },
          {
            Delete: {
              TableName,
              Key: emailChangeKey(id),
              ConditionExpression: 'address = :address',
              ExpressionAttributeValues: { ':address': address },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/** Records that sign-in asks for a code from an authenticator app since `since` (epoch seconds), or (undefined) no longer. */
export async function setTwoFactor(
  id: string,
  since: number | undefined,
  now: string,
): Promise<UserProfile | undefined> {
  const result = await dynamo().send(
    new UpdateCommand({
      TableName,
      Key: userKey(id),
      UpdateExpression:
        since === undefined
          ? 'SET updatedAt = :now REMOVE twoFactorSince'
          : 'SET updatedAt = :now, twoFactorSince = :since',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': now, ...(since === undefined ? {} : { ':since': since }) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return fromItem(result.Attributes);
}

export async function markEmailConfirmed(id: string, now: string): Promise<UserProfile | undefined> {
  const result = await dynamo().send(
    new UpdateCommand({
      TableName,
      Key: userKey(id),
      UpdateExpression: 'SET updatedAt = :now REMOVE emailConfirmation',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': now },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return fromItem(result.Attributes);
}

/** A password reset code went out; the digest of the last one used stays. */
export async function recordResetCodeSent(id: string, at: number, usedCode: string | undefined): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName,
      Key: userKey(id),
      UpdateExpression: 'SET passwordReset = :reset',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':reset': { codeSentAt: at, ...(usedCode ? { usedCode } : {}) } },
    }),
  );
}

/**
 * The password was reset with a code: the code is spent (its digest kept, so a second use says
 * so), and every session that began at or before `at` is over (as a sign-out everywhere).
 */
export async function recordPasswordReset(id: string, usedCode: string, at: number): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName,
      Key: userKey(id),
      UpdateExpression: 'SET passwordReset = :reset, sessionsEndedAt = :at REMOVE endedSessions',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':reset': { usedCode }, ':at': at },
    }),
  );
}

const EVENT_PREFIX = 'EVENT#';

/** Keeps an event in the user's record (beside the profile, in the user's partition). */
export async function recordUserEvent(userId: string, event: UserEvent): Promise<void> {
  const { id, ...fields } = event;
  await dynamo().send(
    new PutCommand({
      TableName,
      Item: { pk: userKey(userId).pk, sk: `${EVENT_PREFIX}${id}`, entity: 'UserEvent', ...fields },
    }),
  );
}

/** The user's events, newest first: one Query of their partition. */
export async function listUserEvents(userId: string, limit: number, startKey: Record<string, unknown> | undefined) {
  const result = await dynamo().send(
    new QueryCommand({
      TableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
      ExpressionAttributeValues: { ':pk': userKey(userId).pk, ':events': EVENT_PREFIX },
      ScanIndexForward: false,
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  return {
    items: (result.Items ?? []).map((item): UserEvent => ({
      id: String(item.sk).slice(EVENT_PREFIX.length),
      type: item.type as UserEvent['type'],
      at: item.at as string,
      by: item.by as UserEvent['by'],
    })),
    lastKey: result.LastEvaluatedKey,
  };
}
