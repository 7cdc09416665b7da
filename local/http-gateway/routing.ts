/** Route matching as API Gateway does it: literal segments win over parameters; `{name+}` is greedy. */
import { splitRouteKey } from '#lambdas/routes.ts';

export interface CompiledRoute<R> {
  routeKey: string;
  method: string;
  pattern: RegExp;
  paramNames: string[];
  literalSegments: number;
  route: R;
}

export function compile<R>(routes: Record<string, R>): CompiledRoute<R>[] {
  return Object.entries(routes)
    .map(([routeKey, route]) => {
      const { method, path } = splitRouteKey(routeKey);
      const paramNames: string[] = [];
      const segments = path.split('/').filter(Boolean);
      const source = segments
        .map((segment) => {
          const greedy = /^\{(\w+)\+\}$/.exec(segment);
          if (greedy) {
            paramNames.push(greedy[1]!);
            return '/(.+)';
          }
          const param = /^\{(\w+)\}$/.exec(segment);
          if (param) {
            paramNames.push(param[1]!);
            return '/([^/]+)';
          }
          return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
        })
        .join('');
      const literalSegments = segments.filter((s) => !s.startsWith('{')).length;
      return { routeKey, method, pattern: new RegExp(`^${source || '/'}$`), paramNames, literalSegments, route };
    })
    .sort((a, b) => b.literalSegments - a.literalSegments);
}

export function match<R>(routes: CompiledRoute<R>[], method: string, path: string) {
  for (const candidate of routes) {
    if (candidate.method !== method && candidate.method !== 'ANY') continue;
    const found = candidate.pattern.exec(path);
    if (!found) continue;
    const pathParameters: Record<string, string> = {};
    candidate.paramNames.forEach((name, index) => {
      pathParameters[name] = decodeSegment(found[index + 1]!);
    });
    return { compiled: candidate, pathParameters };
  }
  return undefined;
}

/** A malformed escape (`%ZZ`) is handed on as sent: the route's validation answers it with a 400. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
