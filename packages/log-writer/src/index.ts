/**
 * @threepio/log-writer: writes threepio run directories — per-file logs, test-run.md, run.json —
 * from events, live or replayed, and records runs for in-process reporters.
 */
export * from './log-format.js'
export * from './run-state.js'
export * from './summary.js'
export * from './run-directory.js'
export * from './replay.js'
export * from './retention.js'
export * from './recorder.js'
export * from './exit-hooks.js'
export * from './ingest.js'
export { main as runCli, findRun, type CliIo } from './cli.js'
export { progName } from './prog-name.js'
export * from './export.js'
export * from './github.js'
export * from './merge.js'
