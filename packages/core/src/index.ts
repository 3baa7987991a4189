/**
 * @threepio/core: the event schema, the JSON Lines event log (writer and follower), run ids,
 * run directories and the test-file → log-path mapping that every threepio package shares.
 */
export * from './schema.js'
export * from './status-rules.js'
export * from './jsonl.js'
export * from './event-log-writer.js'
export * from './event-log-follower.js'
export * from './path-map.js'
export * from './output-text.js'
export * from './run-dir.js'
export * from './session.js'
export * from './run-dir-files.js'
export * from './shared-facts.js'
export * from './options.js'
