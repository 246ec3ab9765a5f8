import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Each test file starts real client processes; two cores are the norm in CI.
    maxWorkers: 2,
  },
});
