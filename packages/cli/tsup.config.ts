import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared.js'

export default defineConfig([
  packageBuild(['src/index.ts']),
  // `threepio run` lends these to the processes of its command (src/run/environment.ts).
  packageBuild(
    { preload: 'src/run/preload.ts', 'vitest-loader': 'src/run/vitest-loader.ts' },
    { format: ['esm'], dts: false, clean: false },
  ),
])
