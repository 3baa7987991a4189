import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared.js'

// path-map and output-text are entries of their own: the Jest worker setup loads just those.
// TypeBox is bundled (tree-shaken) into dist: its ESM build is hundreds of small modules that
// Node opens at once, which fails under a low `ulimit -n` (EMFILE) where the run itself would not.
// Its declarations are bundled too, so TypeBox is a build-time dependency only (rollup-plugin-dts
// cannot follow TypeBox's `export *` chains when asked for that one package, so all are inlined).
export default defineConfig(
  packageBuild(['src/index.ts', 'src/path-map.ts', 'src/output-text.ts', 'src/options-entry.ts'], {
    noExternal: ['@sinclair/typebox'],
    dts: { resolve: true }, // dependencies' declarations inlined (node:* stays external)
  }),
)
