/**
 * Before any end-to-end test: the npm packages, packed and installed with npm into
 * fixtures/node_modules, where every fixture's `@threepio/jest-reporter` or
 * `@threepio/vitest-reporter` resolves as in a user's project (no workspace links).
 */
import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, sep } from 'node:path'

const FIXTURES = join(import.meta.dirname, '../fixtures')

export default async function setup(): Promise<void> {
  const { installPacked } = (await import(join(import.meta.dirname, '../scripts/packed.mjs'))) as {
    installPacked: (dir: string) => void
  }
  installPacked(FIXTURES)
  // What the fixtures load must be the installed copy, not a link back into packages/.
  const installed = realpathSync(join(FIXTURES, 'node_modules')) + sep
  for (const [dir, name] of [
    ['jest', '@threepio/jest-reporter'],
    ['jest', '@threepio/jest-reporter/setup'],
    ['vitest', '@threepio/vitest-reporter'],
  ] as const) {
    const found = realpathSync(createRequire(join(FIXTURES, dir, 'x.js')).resolve(name))
    if (!found.startsWith(installed))
      throw new Error(`fixtures/${dir} resolves ${name} to ${found}, not to ${installed}`)
  }
}
