/**
 * Each function's IAM grants, enforced offline. Every handler invocation runs
 * with its function's grants (lib/grants.ts, from the route table: the same ones the CDK
 * grants); a middleware on the shared AWS clients refuses any call outside
 * them with AccessDeniedException, as AWS would. So a missing grant fails in
 * `npm test`, not on the first deploy.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Permissions } from '#lambdas/routes.ts';
import { tableActions } from '#lib/grants.ts';

interface Grant {
  functionName: string;
  permissions: Permissions;
}

const current = new AsyncLocalStorage<Grant>();

export function withPermissions<T>(functionName: string, permissions: Permissions, run: () => Promise<T>): Promise<T> {
  return current.run({ functionName, permissions }, run);
}

type Call = { action: string; table?: string; key?: string };

/** The S3 actions one request needs, on which keys (CopyObject reads its source and writes its target, as IAM checks). */
interface S3Input {
  Key?: string;
  CopySource?: string;
}
export function s3Calls(commandName: string, input: S3Input): Call[] {
  const action = commandName.replace(/Command$/, '');
  if (action === 'CopyObject') {
    const source = decodeURIComponent(input.CopySource ?? '').replace(/^\/?[^/]+\//, '');
    return [
      { action: 'GetObject', key: source },
      { action: 'PutObject', key: input.Key ?? '' },
    ];
  }
  return [{ action, key: input.Key ?? '' }];
}

type Service = 'dynamodb' | 'cognito' | 'connections' | 'ses' | 's3';
const IAM_PREFIX: Record<Service, string> = {
  s3: 's3',
  dynamodb: 'dynamodb',
  cognito: 'cognito-idp',
  connections: 'execute-api',
  ses: 'ses',
};

const DOCUMENT_COMMANDS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};
const TRANSACT_PARTS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** The IAM actions one DynamoDB request needs (transactions and batches are checked item by item, as IAM does). */
interface DynamoInput {
  TableName?: string;
  TransactItems?: Record<string, { TableName: string }>[];
  RequestItems?: Record<string, unknown>;
}

export function dynamoCalls(commandName: string, input: DynamoInput): Call[] {
  const base = commandName.replace(/Command$/, '');
  const operation = DOCUMENT_COMMANDS[base] ?? base;
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    return (input.TransactItems ?? []).map((item) => {
      const [kind, part] = Object.entries(item)[0]!;
      return { action: TRANSACT_PARTS[kind] ?? kind, table: part.TableName };
    });
  }
  if (operation === 'BatchWriteItem') {
    return Object.entries(input.RequestItems ?? {}).flatMap(([table, requests]) =>
      (requests as Record<string, unknown>[]).map((request) => ({
        action: 'PutRequest' in request ? 'PutItem' : 'DeleteItem',
        table,
      })),
    );
  }
  if (operation === 'BatchGetItem')
    return Object.keys(input.RequestItems ?? {}).map((table) => ({ action: 'BatchGetItem', table }));
  return [{ action: operation, table: input.TableName }];
}

function allowed(service: Service, call: Call, grant: Grant, tableKey: (name: string) => string | undefined): boolean {
  const { permissions } = grant;
  if (service === 'connections') return permissions.manageConnections === true;
  if (service === 'ses') return permissions.sendsEmail === true;
  if (service === 's3') {
    const prefix = call.key?.split('/')[0] ?? '';
    return (permissions.attachments ?? []).includes(`${call.action}:${prefix}` as never);
  }
  if (service === 'cognito') {
    // Only the Admin* calls are IAM-authorized; sign-in, refresh and revocation are public Cognito APIs.
    return !call.action.startsWith('Admin') || (permissions.cognito ?? []).includes(call.action);
  }
  const key = call.table ? tableKey(call.table) : undefined;
  if (call.action === 'Scan') return key !== undefined && (permissions.scans ?? []).some((scanned) => scanned === key);
  const access = key ? permissions.tables?.[key as keyof NonNullable<Permissions['tables']>] : undefined;
  if (!access) return false;
  return tableActions(access).includes(`dynamodb:${call.action}`);
}

type Next = (args: { input: object }) => Promise<unknown>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;

interface MiddlewareClient {
  // The SDK's own middleware types differ per client; this is the shape all of them accept.
  middlewareStack: { add: (middleware: never, options: { step: 'initialize'; name: string }) => void };
}

export function enforcePermissions(
  client: MiddlewareClient,
  service: Service,
  tableKey: (name: string) => string | undefined,
): void {
  const middleware: Middleware = (next, context) => async (args) => {
    const grant = current.getStore();
    // Outside an invocation: the runtime itself (provisioning, create-admin at start).
    if (!grant) return next(args);
    const commandName = context.commandName ?? 'Unknown';
    const calls =
      service === 'dynamodb'
        ? dynamoCalls(commandName, args.input as DynamoInput)
        : service === 's3'
          ? s3Calls(commandName, args.input as S3Input)
          : [{ action: commandName.replace(/Command$/, '') }];
    for (const call of calls) {
      if (allowed(service, call, grant, tableKey)) continue;
      const prefix = IAM_PREFIX[service];
      const action = service === 'connections' ? 'ManageConnections' : call.action;
      const on = call.table ? ` on table ${call.table}` : call.key !== undefined ? ` on key ${call.key}` : '';
      const message = `${grant.functionName} is not authorized to perform: ${prefix}:${action}${on} (add it to the function's permissions in lambdas/routes.ts)`;
      console.error(`AccessDenied: ${message}`);
      throw Object.assign(new Error(message), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return next(args);
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'localIamEnforcement' });
}
