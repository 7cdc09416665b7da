// Unit: the request log's two shapes.
import { describe, expect, it } from 'vitest';
import { requestLog } from '#local/request-log.ts';

describe('request log', () => {
  const capture = (mode: string) => {
    const lines: string[] = [];
    const log = requestLog(mode, (line) => lines.push(line));
    log?.({ method: 'GET', target: '/orders', status: 401, ms: 2.4, reason: 'the JWT authorizer refused the token' });
    log?.({ method: 'WS', target: 'sendMessage', status: 200, ms: 12, fn: 'ws/send-message' });
    return lines;
  };

  it('writes JSON lines when not on a terminal', () => {
    const [first, second] = capture('json').map((line) => JSON.parse(line));
    expect(first).toMatchObject({
      type: 'request',
      method: 'GET',
      target: '/orders',
      status: 401,
      reason: expect.any(String),
    });
    expect(second).toMatchObject({ method: 'WS', target: 'sendMessage', fn: 'ws/send-message' });
  });

  it('writes coloured columns on a terminal: method, target, status, duration, function, reason', () => {
    const ESC = String.fromCharCode(27);
    const plain = (line: string) =>
      line
        .split(ESC)
        .map((part) => part.replace(/^\[\d+m/, ''))
        .join('');
    const [first, second] = capture('pretty');
    expect(first).toContain(`${ESC}[33m401${ESC}[0m`); // yellow for 4xx
    expect(plain(first!)).toMatch(/GET +\/orders +401 +2 ms +— the JWT authorizer refused the token/);
    expect(second).toContain(`${ESC}[32m200${ESC}[0m`); // green for 2xx
    expect(plain(second!)).toMatch(/WS +sendMessage +200 +12 ms +ws\/send-message/);
  });

  it('can be turned off, and refuses a mode it does not know', () => {
    expect(capture('off')).toEqual([]);
    expect(() => requestLog('loud')).toThrow(/pretty, json or off/);
  });
});
