import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const { version } = JSON.parse(readFileSync('./package.json', 'utf8')) as { version: string }

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    define: { __VERSION__: JSON.stringify(version) },
  },
  {
    // Loaded by Jest's module system in each worker (setupFilesAfterEnv): CommonJS.
    entry: ['src/setup.ts'],
    format: ['cjs'],
    // Bundled: Jest loads it once per test file, so it carries only the path mapping it needs.
    noExternal: ['@threepio/core'],
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
])
