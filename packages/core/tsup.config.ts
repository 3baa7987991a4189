import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared.js'

// path-map is its own entry too: the Jest setup file bundles just that.
// TypeBox is bundled (tree-shaken) into dist: its ESM build is hundreds of small modules that
// Node opens at once, which fails under a low `ulimit -n` (EMFILE) where the run itself would not.
export default defineConfig(
  packageBuild(['src/index.ts', 'src/path-map.ts'], { noExternal: ['@sinclair/typebox'] }),
)
