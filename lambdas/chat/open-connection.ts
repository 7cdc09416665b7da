/**
 * $connect's use case, in a module of its own so $connect's bundle carries nothing else of chat:
 * the connection is stored unless the user already has MAX_CONNECTIONS_PER_USER live ones (two
 * connecting at the same moment may both get in: the cap is a bound, not an exact count).
 */
import { TooManyRequestsError } from '../shared/errors.ts';
import { MAX_CONNECTIONS_PER_USER } from '../limits/policy.ts';
import { countLiveConnections, saveConnection, type Connection } from './connections-repository.ts';

export async function openConnection(connection: Connection): Promise<void> {
  if ((await countLiveConnections(connection.userId)) >= MAX_CONNECTIONS_PER_USER) {
    throw new TooManyRequestsError(`At most ${MAX_CONNECTIONS_PER_USER} open connections per user.`, 60);
  }
  await saveConnection(connection);
}
