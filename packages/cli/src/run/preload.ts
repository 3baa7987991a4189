/**
 * Loaded into every Node.js process a `threepio run` command starts (`NODE_OPTIONS=--import`):
 * hooks Jest and Vitest where they run, and does nothing else. It stays small, since npm, pnpm
 * and every worker of a test run load it too.
 */
import { hookJest } from './hook-jest.js'
import { hookVitest } from './hook-vitest.js'

try {
  hookJest()
  hookVitest()
} catch (err) {
  process.stderr.write(
    `threepio: warning: threepio run could not hook this process: ${String(err)}\n`,
  )
}
