import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // Each scenario file starts its own DynamoDB Local (a JVM): two at a time fit the 2-core machines.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: true,
    projects: [
      // Pure deciders, the calendar, parsers, definitions: no Java, no runtime, seconds (`npm run test:unit`).
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Scenarios on the embedded runtime (DynamoDB Local, SES emulator, SMTP, HTTP) and the CDK synth.
      { extends: true, test: { name: 'scenario', include: ['test/**/*.test.ts'], exclude: ['test/unit/**'] } },
    ],
  },
});
