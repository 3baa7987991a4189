// Bundles the threepio command (@threepio/cli) into one CommonJS file inside the Python package, so
// `pip install pytest-threepio` plus `node` on PATH is enough to render logs and summaries.
import { readFileSync, writeFileSync } from 'node:fs'
import { build } from 'esbuild'

// One version for every package: the bundled command reports the log writer's (the same).
const { version } = JSON.parse(
  readFileSync(new URL('../log-writer/package.json', import.meta.url), 'utf8'),
)

await build({
  entryPoints: [new URL('./sidecar-entry.mjs', import.meta.url).pathname],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  outfile: new URL('./src/pytest_threepio/_sidecar/threepio.cjs', import.meta.url).pathname,
  banner: { js: '#!/usr/bin/env node' },
  define: { __THREEPIO_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
  // @threepio/core is `sideEffects: false`; its dist files import a shared helper chunk for its
  // side effects out of habit (tsup), and dropping that bare import is right, not worth a warning.
  // `threepio run` finds the pieces it lends beside its module, and has none in this bundle.
  logOverride: { 'ignored-bare-import': 'silent', 'empty-import-meta': 'silent' },
})

// The package's version beside its code, for where it runs without being installed: lent by
// `python -m pytest_threepio run` to another environment's pytest (importlib.metadata has none).
writeFileSync(new URL('./src/pytest_threepio/_version', import.meta.url), version + '\n')
