/**
 * The schema's version and its test statuses as plain values, apart from the TypeBox schema
 * (schema.ts, which checks them against itself): what option checks and run setup need, without
 * loading the schema.
 */

/** The schema version written in `run-start.schema`. */
export const SCHEMA_VERSION = 2

/** All test statuses, in the order summaries list them. */
export const TEST_STATUSES = [
  'failed',
  'error',
  'passed',
  'skipped',
  'todo',
  'xfailed',
  'xpassed',
] as const
