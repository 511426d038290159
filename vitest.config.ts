import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // 2-core CI machines: keep parallelism modest so heavy suites (training, e2e) do not starve each other
    maxWorkers: 2,
  },
});
