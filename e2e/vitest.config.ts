import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // The packed packages, installed into fixtures/node_modules.
    globalSetup: ['./global-setup.ts'],
    include: ['src/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Each test spawns real test runners; two at a time fit the 2-core CI machine.
    maxConcurrency: 2,
    fileParallelism: false,
  },
})
