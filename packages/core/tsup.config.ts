import { defineConfig } from 'tsup'

export default defineConfig({
  // path-map is its own entry too: the Jest setup file bundles just that.
  entry: ['src/index.ts', 'src/path-map.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
})
