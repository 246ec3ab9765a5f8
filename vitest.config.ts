import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The vitest example imports the library by package name: it runs against dist/, built first.
    include: ['test/**/*.test.ts', 'examples/vitest/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Each test file starts real client processes; two cores are the norm in CI.
    maxWorkers: 2,
  },
});
