/** The status rule of a file, the one place it lives, and counts that start at zero. */
import type { Counts, FileStatus } from './schema-values.js'

/** Counts with every status at zero. */
export function emptyCounts(): Counts {
  return { passed: 0, failed: 0, skipped: 0, todo: 0, xfailed: 0, xpassed: 0, error: 0, total: 0 }
}

/** What a file's status is decided from: its counts and the facts of its file-end. */
export interface FileFacts {
  counts: Counts
  /** From file-end: the file could not be loaded or collected. */
  failedToLoad?: boolean
  /** From file-end: the file failed outside its tests (a hook, an import, afterAll). */
  error?: unknown
  /** From file-end: the file was skipped as a whole. */
  skipReason?: string
  /** Teardown errors of tests that had already failed. */
  teardownErrors?: number
}

/**
 * The status rule, the one place it lives: `error` when the file failed to load or collect;
 * `failed` when a test failed or errored, or the file failed outside its tests; `skipped` when
 * the file was skipped as a whole, or has tests and every one was skipped, todo or xfailed;
 * else `passed`.
 */
export function fileStatus(f: FileFacts): FileStatus {
  const c = f.counts
  if (f.failedToLoad) return 'error'
  if (c.failed + c.error > 0 || f.error !== undefined || (f.teardownErrors ?? 0) > 0)
    return 'failed'
  if (f.skipReason !== undefined && c.passed + c.xpassed === 0) return 'skipped'
  if (c.total > 0 && c.total === c.skipped + c.todo + c.xfailed) return 'skipped'
  return 'passed'
}
