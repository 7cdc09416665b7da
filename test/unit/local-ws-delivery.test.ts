// Unit: how the local WebSocket gateway delivers a message (local/ws-gateway/lifecycle.ts, deliver).
import { describe, expect, it } from 'vitest';
import { deliver, SLOW_READER_BYTES } from '#local/ws-gateway/lifecycle.ts';
import type { GatewayState, LiveConnection } from '#local/ws-gateway/state.ts';

function connection(bufferedAmount = 0) {
  const sent: string[] = [];
  const closed: { code?: number; terminated: boolean } = { terminated: false };
  const socket = {
    bufferedAmount,
    send: (text: string) => sent.push(text),
    close: (code: number) => (closed.code = code),
    terminate: () => (closed.terminated = true),
  };
  const logged: string[] = [];
  const state = { log: (message: string) => logged.push(message) } as unknown as GatewayState;
  const live = { socket } as unknown as LiveConnection;
  return { state, live, sent, closed, logged };
}

describe('local WebSocket delivery', () => {
  it('never delivers a message over 128 KB, and says so in the log', () => {
    const { state, live, sent, logged } = connection();
    expect(deliver(state, live, 'x'.repeat(128 * 1024), 'an answer')).toBe(true);
    expect(deliver(state, live, 'é'.repeat(64 * 1024 + 1), 'an answer')).toBe(false);
    expect(sent).toHaveLength(1);
    expect(logged[0]).toMatch(/131074 bytes: API Gateway delivers no WebSocket message over 128 KB/);
  });

  it('drops a connection that stopped reading before its queue passes 1 MB', () => {
    const { state, live, sent, closed } = connection(SLOW_READER_BYTES - 10);
    expect(deliver(state, live, 'x'.repeat(11), 'a post')).toBe(false);
    expect(sent).toHaveLength(0);
    expect(closed).toEqual({ code: 1008, terminated: true });
  });
});
