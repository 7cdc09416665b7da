/** The signed-in user a request acts for, as the authorizer saw them. */
export type Role = 'ADMIN' | 'REGULAR';

export interface Caller {
  id: string;
  role: Role;
}

/** A caller with the display name other people see (chat). */
export interface Member extends Caller {
  name: string;
}

export const ADMIN_GROUP = 'admin';

/**
 * API Gateway renders every JWT claim as a string and array claims as
 * "[a b]" (space separated, bracketed); the local gateway does the same.
 */
export function parseGroupsClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value === '') return [];
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return inner.split(/[\s,]+/).filter(Boolean);
}

export function roleFromGroups(groups: readonly string[]): Role {
  return groups.includes(ADMIN_GROUP) ? 'ADMIN' : 'REGULAR';
}

export function callerFromClaims(claims: Record<string, unknown> | undefined): Caller | undefined {
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '') return undefined;
  return { id: sub, role: roleFromGroups(parseGroupsClaim(claims?.['cognito:groups'])) };
}
