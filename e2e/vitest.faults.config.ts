import { defineConfig } from 'vitest/config'

// `pnpm test:faults`: kills, disk faults, hostile input and concurrent runs on real runners.
export default defineConfig({
  test: {
    // The packed packages, installed into fixtures/node_modules.
    globalSetup: ['./global-setup.ts'],
    include: ['faults/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    // Each test runs two test runs at a time (with and without threepio): one file at a time.
    fileParallelism: false,
    reporters: ['default', './faults/table-reporter.ts'],
  },
})
