// Unit: which module may import which. Chat is a client of orders' service API, never of their storage.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

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

  it('keeps orders free of the chat module (the notifier is handed in)', () => {
    for (const { file, from } of importsOf('orders')) expect(from, file).not.toMatch(/\/chat\//);
  });

  it('keeps IAM vocabulary out of lambdas/', () => {
    const routes = readFileSync(join(lambdas, 'routes.ts'), 'utf8');
    expect(routes).not.toMatch(/dynamodb:|TABLE_ACTIONS|effectivePermissions/);
  });
});
