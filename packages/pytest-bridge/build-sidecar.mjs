// Bundles @threepio/log-writer's command into one CommonJS file inside the Python package, so
// `pip install pytest-threepio` plus `node` on PATH is enough to render logs and summaries.
import { build } from 'esbuild'

await build({
  entryPoints: [new URL('./sidecar-entry.mjs', import.meta.url).pathname],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  outfile: new URL('./src/pytest_threepio/_sidecar/threepio.cjs', import.meta.url).pathname,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
})
