/**
 * The IAM vocabulary of the route table's permissions: which actions each table access level
 * grants, and what each function may do in AWS. The CDK grants exactly this and the local
 * runtime enforces it (local/iam.ts), so a missing grant fails in `npm test`, not on a deploy.
 */
import {
  functions,
  httpRoutes,
  wsRoutes,
  type Access,
  type FunctionName,
  type LambdaFunction,
  type Permissions,
} from '#lambdas/routes.ts';

/** The DynamoDB actions each table access level grants (no Scan: every list is a Query). */
export const TABLE_ACTIONS = {
  read: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
  ],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
} as const;

export const tableActions = (access: 'read' | 'readWrite'): readonly string[] =>
  access === 'readWrite' ? [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.write] : TABLE_ACTIONS.read;

const routesOf = (name: FunctionName): { access: Access; rateLimit?: string }[] =>
  [...Object.values(httpRoutes), ...Object.values(wsRoutes)].filter((route) => route.handler === name);

/**
 * A function's declared permissions, plus a read of the main table when any of its routes is
 * signed-in (the handler chain reads the caller's profile to check the session and the role), a
 * write when one has a per-user limit (its counter lives there), and CloudFront's origin secret
 * when it serves HTTP routes (the HTTP chain checks the origin header on every request).
 */
export function functionGrants(name: FunctionName): Permissions {
  const declared = withOriginSecret(name, (functions[name] as LambdaFunction).permissions ?? {});
  return withMainTable(name, declared);
}

function withOriginSecret(name: FunctionName, permissions: Permissions): Permissions {
  const servesHttp = Object.values(httpRoutes).some((route) => route.handler === name);
  const secrets = permissions.secrets ?? [];
  if (!servesHttp || secrets.includes('ORIGIN_VERIFY_SECRET')) return permissions;
  return { ...permissions, secrets: [...secrets, 'ORIGIN_VERIFY_SECRET'] };
}

function withMainTable(name: FunctionName, permissions: Permissions): Permissions {
  const routes = routesOf(name);
  const needed = routes.some((route) => route.rateLimit)
    ? 'readWrite'
    : routes.some((route) => route.access !== 'public')
      ? 'read'
      : undefined;
  const declared = permissions.tables?.main;
  if (!needed || declared === 'readWrite' || declared === needed) return permissions;
  return { ...permissions, tables: { ...permissions.tables, main: needed } };
}
