import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared.js'

// The two builds run at once: neither cleans dist (one could delete the other's output);
// the build script empties it first.
export default defineConfig([
  // `shims` gives the CommonJS build import.meta.url: the side-file reader requires the event
  // decoder on first use.
  packageBuild(['src/index.ts'], { clean: false, shims: true }),
  // Loaded by Jest's module system in each worker (setupFilesAfterEnv): CommonJS only, and
  // bundled, since Jest loads it once per test file: it carries only the path mapping it needs.
  packageBuild(['src/setup.ts'], {
    format: ['cjs'],
    clean: false,
    noExternal: ['@threepio/core'],
    // @threepio/core is `sideEffects: false`, and the bare import of its shared helper chunk
    // that tsup writes is rightly dropped: not worth a warning on every build.
    esbuildOptions(options) {
      options.logOverride = { ...options.logOverride, 'ignored-bare-import': 'silent' }
    },
  }),
])
