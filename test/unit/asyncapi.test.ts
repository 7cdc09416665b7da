// Unit: the WebSocket contract is generated, committed and valid AsyncAPI 3.0.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Parser } from '@asyncapi/parser';
import { wsRoutes } from '#lambdas/routes.ts';
import { ASYNCAPI_PATH, renderAsyncApi } from '#local/asyncapi.ts';
import { checkFrame } from '../support/ws-contract.ts';

describe('asyncapi.yaml', () => {
  it('is exactly what `npm run asyncapi` generates', () => {
    expect(readFileSync(ASYNCAPI_PATH, 'utf8')).toBe(renderAsyncApi());
  });

  it('passes @asyncapi/parser with no errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(ASYNCAPI_PATH, 'utf8'));
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => d.message)).toEqual([]);
    expect(document).toBeDefined();
  });

  it('documents every client action, every server frame and the connect parameters', async () => {
    const { document } = await new Parser().parse(readFileSync(ASYNCAPI_PATH, 'utf8'));
    const messageNames = document!
      .allMessages()
      .all()
      .map((m) => m.name());
    for (const action of Object.keys(wsRoutes).filter((key) => !key.startsWith('$')))
      expect(messageNames).toContain(action);
    for (const frame of ['chatHistory', 'leftRoom', 'newMessage', 'roomClosed', 'orderStatusChanged', 'error']) {
      expect(messageNames).toContain(frame);
    }
    const text = readFileSync(ASYNCAPI_PATH, 'utf8');
    // Tickets are the only credential $connect takes (a token in a URL would reach the logs).
    expect(text).toContain('ticket:');
    expect(text).not.toMatch(/^\s+token:/m);
  });
});

describe('frame contract checker', () => {
  const frame = { type: 'leftRoom', roomId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' };
  it("accepts a documented frame and API Gateway's own frames", () => {
    expect(checkFrame(frame)).toBeUndefined();
    expect(checkFrame({ message: 'Internal server error', connectionId: 'c', requestId: 'r' })).toBeUndefined();
  });
  it('rejects an undocumented type or field', () => {
    expect(checkFrame({ type: 'mystery' })).toMatch(/not in asyncapi/);
    expect(checkFrame({ ...frame, extra: 1 })).toMatch(/does not match/);
  });
});
