import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared.js'

// thread is what the Jest reporter loads in the test runner's thread; recorder-worker runs in the
// worker thread it starts (found next to it: `shims` gives the CommonJS build import.meta.url).
export default defineConfig(
  packageBuild(
    {
      index: 'src/index.ts',
      thread: 'src/recording/thread-recorder.ts',
      'recorder-worker': 'src/recording/recorder-worker.ts',
    },
    { shims: true },
  ),
)
