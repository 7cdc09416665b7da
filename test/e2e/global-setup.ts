/**
 * Boots the local runtime once per test run, exactly as `npm start
 * -- --in-memory` would, on free ports, and hands its URLs to the tests.
 * The end-to-end tests only ever talk to it over HTTP and WebSocket.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import type {} from 'vitest';
import { BOOTSTRAP_ADMIN } from './bootstrap-admin.ts';
import { onLoopback, spawnRuntime, type RuntimeInfo, type RuntimeProcess } from '../support/runtime-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    runtime: RuntimeInfo;
    /** What the runtime's functions sign with (LOCAL_AWS_SECRET): tests cut connections through @connections. */
    localAwsSecret: string;
  }
}

let runtime: RuntimeProcess | undefined;

export async function setup(project: TestProject) {
  const cache = resolve(import.meta.dirname, '..', '..', '.cache');
  mkdirSync(cache, { recursive: true });
  const logPath = resolve(cache, `${project.name}-runtime.log`);
  const localAwsSecret = randomBytes(24).toString('base64url');
  runtime = spawnRuntime(
    {
      LOCAL_AWS_SECRET: localAwsSecret,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      REQUEST_LOG: 'json',
      ADMIN_EMAIL: BOOTSTRAP_ADMIN.email,
      ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password,
      ADMIN_NAME: BOOTSTRAP_ADMIN.name,
    },
    createWriteStream(logPath),
  );
  const info = await runtime.ready.catch((error: Error) => {
    throw new Error(`${error.message}; see ${logPath}`);
  });
  project.provide('runtime', onLoopback(info));
  project.provide('localAwsSecret', localAwsSecret);
}

export async function teardown() {
  await runtime?.stop();
}
