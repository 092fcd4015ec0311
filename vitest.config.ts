import { defineConfig } from 'vitest/config';

/**
 * Five projects, one run (`npm test`):
 * - unit: core rules and pure code, no services;
 * - integration: handlers and adapters against DynamoDB Local and s3rver started once per run
 *   (tests/integration/global-setup.ts); each test file uses its own table;
 * - infra: CDK template assertions and cdk-nag;
 * - e2e: the local runtime started as a child process and driven over HTTP;
 * - browser: the web consoles served by that runtime, driven in Debian's Chromium (playwright-core).
 */
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/integration/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['tests/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
