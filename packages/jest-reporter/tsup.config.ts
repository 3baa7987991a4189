import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared.js'

export default defineConfig([
  packageBuild(['src/index.ts']),
  // Loaded by Jest's module system in each worker (setupFilesAfterEnv): CommonJS only, and
  // bundled, since Jest loads it once per test file: it carries only the path mapping it needs.
  packageBuild(['src/setup.ts'], { format: ['cjs'], clean: false, noExternal: ['@threepio/core'] }),
])
