/**
 * @threepio/jest-reporter: a Jest reporter that writes a durable, streaming threepio record.
 *
 * ```js
 * // jest.config.js
 * module.exports = {
 *   reporters: ['default', ['@threepio/jest-reporter', { outputDir: '.3pio' }]],
 *   // optional: console output live and under the test that printed it
 *   setupFilesAfterEnv: ['@threepio/jest-reporter/setup'],
 * }
 * ```
 */
import { ThreepioJestReporter } from './reporter.js'

export { ThreepioJestReporter, type ThreepioJestOptions } from './reporter.js'
export default ThreepioJestReporter
