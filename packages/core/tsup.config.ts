import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared.js'

// path-map is its own entry too: the Jest setup file bundles just that.
export default defineConfig(packageBuild(['src/index.ts', 'src/path-map.ts']))
