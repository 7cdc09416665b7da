// Unit: the local runtime's IAM enforcement refuses AWS calls outside a route's grants, before they are sent.
import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { dynamoCalls, enforcePermissions, withPermissions } from '#local/iam.ts';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
// A call that gets past the check ends here, as if AWS had answered: nothing goes on the network.
const answerLocally = (client: { middlewareStack: { add: (m: any, o: any) => void } }) =>
  client.middlewareStack.add(() => async () => ({ output: { $metadata: {} }, response: {} }), {
    step: 'finalizeRequest',
    name: 'answerLocally',
  });
const tableKey = (name: string) => ({ 'local-main': 'main', 'local-connections': 'connections' })[name];
const raw = new DynamoDBClient(config);
const documents = DynamoDBDocumentClient.from(raw);
enforcePermissions(raw, 'dynamodb', tableKey);
answerLocally(raw);
const cognito = new CognitoIdentityProviderClient(config);
enforcePermissions(cognito, 'cognito', tableKey);
answerLocally(cognito);

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'sent',
    (error: Error) => (error.name === 'AccessDeniedException' ? 'denied' : `failed: ${error.message}`),
  );

describe('local IAM enforcement', () => {
  it('lets a read-only grant read but not write', async () => {
    const grant = { tables: { main: 'read' as const } };
    expect(
      await withPermissions('fn', grant, () =>
        outcome(documents.send(new GetCommand({ TableName: 'local-main', Key: { pk: 'a' } }))),
      ),
    ).toBe('sent');
    expect(
      await withPermissions('fn', grant, () =>
        outcome(documents.send(new PutCommand({ TableName: 'local-main', Item: { pk: 'a' } }))),
      ),
    ).toBe('denied');
  });

  it('refuses a table the route was never granted', async () => {
    const grant = { tables: { main: 'readWrite' as const } };
    const query = new QueryCommand({
      TableName: 'local-connections',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': 'x' },
    });
    expect(await withPermissions('fn', grant, () => outcome(documents.send(query)))).toBe('denied');
  });

  it('checks every item of a transaction', async () => {
    const transaction = new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: 'local-main', Item: { pk: 'a' } } },
        { Put: { TableName: 'local-connections', Item: { pk: 'b' } } },
      ],
    });
    expect(
      await withPermissions('fn', { tables: { main: 'readWrite' } }, () => outcome(documents.send(transaction))),
    ).toBe('denied');
    expect(
      await withPermissions('fn', { tables: { main: 'readWrite', connections: 'readWrite' } }, () =>
        outcome(documents.send(transaction)),
      ),
    ).toBe('sent');
  });

  it('requires Cognito Admin* actions to be listed, and lets public Cognito APIs through', async () => {
    const admin = new AdminDeleteUserCommand({ UserPoolId: 'p', Username: 'u' });
    expect(await withPermissions('fn', {}, () => outcome(cognito.send(admin)))).toBe('denied');
    expect(await withPermissions('fn', { cognito: ['AdminDeleteUser'] }, () => outcome(cognito.send(admin)))).toBe(
      'sent',
    );
    expect(
      await withPermissions('fn', {}, () =>
        outcome(cognito.send(new RevokeTokenCommand({ ClientId: 'c', Token: 't' }))),
      ),
    ).toBe('sent');
  });

  it('leaves calls outside any invocation alone (the runtime provisioning itself)', async () => {
    expect(await outcome(documents.send(new PutCommand({ TableName: 'local-main', Item: { pk: 'a' } })))).toBe('sent');
  });

  it('maps document-client commands to the IAM actions AWS checks', () => {
    expect(dynamoCalls('PutCommand', { TableName: 't' })).toEqual([{ action: 'PutItem', table: 't' }]);
    expect(
      dynamoCalls('BatchWriteCommand', { RequestItems: { t: [{ DeleteRequest: {} }, { PutRequest: {} }] } }),
    ).toEqual([
      { action: 'DeleteItem', table: 't' },
      { action: 'PutItem', table: 't' },
    ]);
    expect(
      dynamoCalls('TransactWriteItemsCommand', { TransactItems: [{ ConditionCheck: { TableName: 't' } }] }),
    ).toEqual([{ action: 'ConditionCheckItem', table: 't' }]);
    expect(dynamoCalls('ScanCommand', { TableName: 't' })).toEqual([{ action: 'Scan', table: 't' }]);
  });
});
