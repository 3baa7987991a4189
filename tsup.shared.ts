import { readFileSync } from 'node:fs'
import type { Options } from 'tsup'

/**
 * The build every package shares: ESM and CommonJS with type declarations, for Node 20.
 * `__VERSION__` is the package's own version (reporters write it into run-start).
 */
export function packageBuild(entry: Options['entry'], extra: Options = {}): Options {
  const { version } = JSON.parse(readFileSync('./package.json', 'utf8')) as { version: string }
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    // No source maps: the published packages carry dist only, not the sources a map points at.
    sourcemap: false,
    clean: true,
    target: 'node20',
    define: { __VERSION__: JSON.stringify(version) },
    ...extra,
  }
}
