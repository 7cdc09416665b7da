import { defineConfig } from 'vitest/config';
import LongestFirst from './test/sequencer.ts';

// Three kinds of test and a flood, each honest about what it touches (see README, "Tests").
export default defineConfig({
  test: {
    // Vitest's default on 2 cores is one file at a time; the end-to-end files mostly wait on the
    // runtime's process (and some on clocks), so four at once keep both cores busy.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirst },
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.cache/vitest-results.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          env: {
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            MAIN_TABLE_NAME: 'main-test',
            CONNECTIONS_TABLE_NAME: 'connections-test',
            IDEMPOTENCY_TABLE_NAME: 'idempotency-test',
            USER_POOL_ID: 'us-east-1_test',
            USER_POOL_CLIENT_ID: 'test-client',
            WS_CALLBACK_URL: 'https://ws.example.test/live',
            CURSOR_SECRET: 'unit-test-cursor-secret-unit-test-cursor-secret',
            ATTACHMENTS_BUCKET: 'attachments-test',
            ATTACHMENT_MAX_BYTES: String(10 * 1024 * 1024),
            ATTACHMENT_RETENTION_DAYS: '30',
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            POWERTOOLS_DEV: 'false',
          },
        },
      },
      {
        // The client library's own tests: no AWS, no runtime, a socket and a fetch the tests drive.
        test: { name: 'client', include: ['client/test/**/*.test.ts'] },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          // The browser tests drive the web app against the same runtime.
          include: ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts'],
          // They talk to processes over sockets and keep no state in shared modules: a worker's module
          // registry serves file after file instead of being rebuilt for each (12 s of CPU per run).
          isolate: false,
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // What a test polls for (a list reread, a file checked, a membership gone) comes over a
          // runtime busy with three other files: 10 s, as the browser tests wait for a message, not 1.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        // A flood, on a runtime the file boots itself: it spends the stage throttle a runtime's clients share.
        test: {
          name: 'load',
          include: ['test/load/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
