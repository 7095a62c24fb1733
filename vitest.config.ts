import { defineConfig } from 'vitest/config';
import { QUIET_SDK_ENV } from './local/quiet-sdk.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores in CI: keep the pool small so e2e servers and unit tests do not starve each other.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['test/setup.ts'],
    // Also for processes the tests spawn (CLI, sandbox, bundles).
    env: { ...QUIET_SDK_ENV },
  },
});
