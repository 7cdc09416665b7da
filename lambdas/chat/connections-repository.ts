// Secondary adapter: owns every key of the connections table.
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { dynamo } from '../shared/clients.ts';
import { readEnv } from '../shared/env.ts';
import type { Role } from '../shared/caller.ts';

const env = readEnv({ CONNECTIONS_TABLE_NAME: z.string().min(1) });

/** API Gateway closes a connection after 2 h; a day on top lets TTL sweep abandoned items. */
const CONNECTION_TTL_SECONDS = 2 * 3600 + 24 * 3600;

export interface Connection {
  connectionId: string;
  userId: string;
  role: Role;
  connectedAt: string;
}

const connectionKey = (connectionId: string) => ({ pk: `CONN#${connectionId}`, sk: 'META' });

export function putConnectionParams(connection: Connection, nowSeconds: number) {
  return {
    TableName: env.CONNECTIONS_TABLE_NAME,
    Item: { ...connectionKey(connection.connectionId), ...connection, expiresAt: nowSeconds + CONNECTION_TTL_SECONDS },
  };
}

export async function saveConnection(connection: Connection): Promise<void> {
  await dynamo().send(new PutCommand(putConnectionParams(connection, Math.floor(Date.now() / 1000))));
}

export async function deleteConnection(connectionId: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: env.CONNECTIONS_TABLE_NAME, Key: connectionKey(connectionId) }));
}
