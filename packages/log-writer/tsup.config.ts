import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared.js'

// thread.ts is what a reporter loads in the test runner's thread; recorder-worker.ts runs in the
// worker thread it starts (found next to it: `shims` gives the CommonJS build import.meta.url).
export default defineConfig(
  packageBuild(['src/index.ts', 'src/cli.ts', 'src/thread.ts', 'src/recorder-worker.ts'], {
    shims: true,
  }),
)
