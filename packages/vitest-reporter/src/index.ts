/**
 * @threepio/vitest-reporter: a Vitest reporter that writes a durable, streaming threepio record.
 *
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({
 *   test: { reporters: ['default', ['@threepio/vitest-reporter', { outputDir: '.3pio' }]] },
 * })
 * ```
 */
import { ThreepioVitestReporter } from './reporter.js'

export { ThreepioVitestReporter, type ThreepioVitestOptions } from './reporter.js'
export default ThreepioVitestReporter
