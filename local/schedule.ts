/**
 * EventBridge's schedule, offline: runs a function every `everyMs` with a Scheduled Event, through
 * the same loader and IAM guard as the gateways' invocations. A run still going when the next is
 * due is not overlapped here (on AWS one may be; the function is written for that: its claims).
 */
import { randomUUID } from 'node:crypto';
import type { Permissions } from '#lambdas/routes.ts';
import { invoke, type HandlerLoader } from './lambda-runner.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws.ts';

export interface Schedule {
  /** Runs it now (after the run under way, if any): what the function returned. */
  runNow(): Promise<unknown>;
  stop(): Promise<void>;
}

export function startSchedule(options: {
  loader: HandlerLoader;
  handler: string;
  everyMs: number;
  timeoutMs: number;
  permissions: Permissions;
  log: (message: string, error?: unknown) => void;
}): Schedule {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const ruleArn = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/${options.handler.replace(/\W/g, '-')}`;
  const run = () => {
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: LOCAL_ACCOUNT_ID,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: [ruleArn],
      detail: {},
    };
    running = invoke(options.loader, options.handler, event, options.timeoutMs, options.permissions).finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    if (running || stopped) return;
    run().catch((error: unknown) => options.log(`The scheduled ${options.handler} failed`, error));
  };
  // Every 0 s: never by itself (only runNow).
  const timer = options.everyMs > 0 ? setInterval(tick, options.everyMs) : undefined;
  return {
    runNow: async () => {
      await running?.catch(() => undefined);
      return run();
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
