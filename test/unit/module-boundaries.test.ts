// Unit: which module may import which. Chat is a client of orders' service API, never of their storage.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functions, httpRoutes, wsRoutes } from '#lambdas/routes.ts';
import { httpRouteName, wsRouteName } from '#local/compile-routes.ts';

const lambdas = resolve(import.meta.dirname, '..', '..', 'lambdas');

function importsOf(folder: string): { file: string; from: string }[] {
  return readdirSync(join(lambdas, folder))
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(join(lambdas, folder, file), 'utf8').matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)].map(
        (match) => ({ file: `${folder}/${file}`, from: match[1]! }),
      ),
    );
}

describe('module boundaries', () => {
  it('lets lambdas/chat reach orders only through orders/rooms.ts', () => {
    const intoOrders = importsOf('chat').filter(({ from }) => from.includes('/orders/'));
    expect(intoOrders.length).toBeGreaterThan(0);
    for (const { file, from } of intoOrders) expect(from, file).toBe('../orders/rooms.ts');
  });

  it('lets the data export read through the use cases only: never a repository', () => {
    const imports = importsOf('export');
    expect(imports.length).toBeGreaterThan(0);
    for (const { file, from } of imports) expect(from, file).not.toMatch(/repository/);
  });

  it('keeps orders free of the chat module (the notifier is handed in)', () => {
    for (const { file, from } of importsOf('orders')) expect(from, file).not.toMatch(/\/chat\//);
  });

  it('keeps IAM vocabulary out of lambdas/', () => {
    const routes = readFileSync(join(lambdas, 'routes.ts'), 'utf8');
    expect(routes).not.toMatch(/dynamodb:|TABLE_ACTIONS|effectivePermissions/);
  });

  it("gives each function its own routes' compiled schemas and nothing of zod or the route table", () => {
    const served = (fn: string) => [
      ...Object.entries(httpRoutes)
        .filter(([, route]) => route.handler === fn)
        .map(([key]) => httpRouteName(key)),
      ...Object.entries(wsRoutes)
        .filter(([, route]) => route.handler === fn)
        .map(([key]) => wsRouteName(key)),
    ];
    const runtimeImports = (file: string) =>
      [...readFileSync(join(lambdas, file), 'utf8').matchAll(/^import (?!type )([^;]*?) from '([^']+)'/gms)].map(
        (match) => ({ names: match[1]!, from: match[2]! }),
      );
    for (const fn of Object.keys(functions)) {
      const imports = runtimeImports(`handlers/${fn}.ts`);
      const routes = imports
        .filter(({ from }) => from.endsWith('/generated/routes.ts'))
        .flatMap(({ names }) => names.replace(/[{}\s]/g, '').split(','))
        .filter((name) => name !== 'WS_ACTIONS');
      // Plain handlers ($connect, $disconnect, the authorizers) take no compiled route at all.
      for (const route of routes) expect(served(fn), fn).toContain(route);
    }
    // What runs in a function: no zod, no route table (only their types).
    const runtimeFolders = ['shared', 'users', 'orders', 'chat', 'limits', 'handlers/http', 'handlers/ws'];
    for (const folder of runtimeFolders) {
      for (const file of readdirSync(join(lambdas, folder)).filter((name) => name.endsWith('.ts'))) {
        for (const { from } of runtimeImports(`${folder}/${file}`)) {
          expect(from, `${folder}/${file}`).not.toMatch(/^zod|(?<!generated)\/routes\.ts$|\/schemas\/(?!checks\.ts)/);
        }
      }
    }
  });
});
