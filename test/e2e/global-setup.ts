/**
 * Boots the local runtime once per test run, exactly as `npm start
 * -- --in-memory` would, on free ports, and hands its URLs to the tests.
 * The end-to-end tests only ever talk to it over HTTP and WebSocket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { BOOTSTRAP_ADMIN } from './bootstrap-admin.ts';
import type {} from 'vitest';

export interface RuntimeInfo {
  httpUrl: string;
  wsUrl: string;
  userPoolId: string;
  clientId: string;
  cognitoEndpoint: string;
  dynamoDbEndpoint: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    runtime: RuntimeInfo;
  }
}

const root = resolve(import.meta.dirname, '..', '..');
let child: ChildProcess | undefined;

export async function setup(project: TestProject) {
  mkdirSync(resolve(root, '.cache'), { recursive: true });
  const logPath = resolve(root, '.cache', 'e2e-runtime.log');
  const log = createWriteStream(logPath);
  child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--in-memory'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      WS_PORT: '0',
      DYNAMODB_PORT: '0',
      COGNITO_PORT: '0',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      ADMIN_EMAIL: BOOTSTRAP_ADMIN.email,
      ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password,
      ADMIN_NAME: BOOTSTRAP_ADMIN.name,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(log);
  const info = await new Promise<RuntimeInfo>((resolvePromise, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`Local runtime not ready in 90 s; see ${logPath}`)), 90_000);
    child!.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        clearTimeout(timer);
        resolvePromise(JSON.parse(line.slice('READY '.length)) as RuntimeInfo);
      }
    });
    child!.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Local runtime exited with ${code}; see ${logPath}`));
    });
  });
  const toLoopback = (url: string) => url.replace('//localhost:', '//127.0.0.1:');
  project.provide('runtime', { ...info, httpUrl: toLoopback(info.httpUrl), wsUrl: toLoopback(info.wsUrl) });
}

export async function teardown() {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
