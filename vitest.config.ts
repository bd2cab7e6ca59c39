import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // Each file starts its own DynamoDB Local (a JVM): two at a time fit the 2-core machines.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
