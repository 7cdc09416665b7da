// The client's types are generated from the contracts; a change to a route or frame must reach them.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderClientTypes } from '#local/client-types.ts';

it('holds types generated from the current openapi.yaml and asyncapi.yaml (npm run docs)', async () => {
  for (const { path, text } of await renderClientTypes()) expect(readFileSync(path, 'utf8'), path).toBe(text);
});
