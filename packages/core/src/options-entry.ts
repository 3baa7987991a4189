/**
 * `@threepio/core/options`: option checks and run-directory setup without the event schema, for
 * a reporter's first, synchronous steps in the test runner's own thread.
 */
export * from './options.js'
export * from './run-dir.js'
