import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared.js'

// write-capture is the setup file the reporter adds to every project, found next to the
// reporter's own file (`shims` gives the CommonJS build import.meta.url).
export default defineConfig(packageBuild(['src/index.ts', 'src/write-capture.ts'], { shims: true }))
