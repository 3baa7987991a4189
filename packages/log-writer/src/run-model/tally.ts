/**
 * The run's tally: counts (the last attempt of each test counts), failures, teardown errors,
 * flaky tests, reasons and diagnostics. {@link RunState} feeds it each test's end.
 */
import { emptyCounts, type Counts, type TestError, type TestStatus } from '@threepio/core'
import {
  lineInStack,
  MAX_FAILURES,
  MAX_REASONS,
  refOf,
  type FailureSummary,
  type FileSummary,
  type ReasonSummary,
  type TestName,
} from './summaries.js'

/** What the tally keeps of a test while its file is open. */
export interface TestRecord {
  name: string
  ref?: TestName
  line?: number
  status?: TestStatus
  failedBefore?: boolean
  teardownError?: boolean
  /** Started and not yet ended. */
  running?: boolean
}

export class RunTally {
  /** Counts so far: last attempt of each test counts. */
  readonly counts: Counts = emptyCounts()
  /** Teardown errors of tests that had already failed (pytest counts each as an error). */
  teardownErrors = 0
  /** Tests that passed after a failed attempt. */
  flaky = 0
  readonly failures: FailureSummary[] = []
  /** Skip, todo and xfail reasons, most frequent first once read through {@link reasons}. */
  private readonly reasonCounts = new Map<string, ReasonSummary>()
  failuresTotal = 0
  diagnosticsTotal = 0
  readonly diagnostics: string[] = []

  /** Skip, todo and xfail reasons with their counts, most frequent first. */
  get reasons(): ReasonSummary[] {
    return [...this.reasonCounts.values()].sort((a, b) => b.count - a.count)
  }

  protected countReason(reason: string, status: TestStatus): void {
    const key = `${status}\0${reason}`
    const known = this.reasonCounts.get(key)
    if (known) known.count++
    else if (this.reasonCounts.size < MAX_REASONS)
      this.reasonCounts.set(key, { reason, status, count: 1 })
  }

  protected countTest(
    summary: FileSummary,
    id: string,
    test: TestRecord,
    status: TestStatus,
    error: TestError | undefined,
  ): void {
    const counts = summary.counts
    if (test.status) {
      // A retry: the last attempt counts.
      counts[test.status]--
      counts.total--
      this.counts[test.status]--
      this.counts.total--
    }
    counts[status]++
    counts.total++
    this.counts[status]++
    this.counts.total++
    const failing = status === 'failed' || status === 'error'
    if (failing) test.failedBefore = true
    else if (status === 'passed' && test.failedBefore) this.flaky++
    if (test.status === 'failed' || test.status === 'error') this.removeFailure(id)
    test.status = status
    if (failing) {
      const s = summary
      const line = test.line ?? lineInStack(error, s.file)
      this.addFailure({
        ...refOf(s),
        log: s.log,
        test: test.name,
        testId: id,
        status,
        ...(error ? { error } : {}),
        ...(test.ref ? { ref: test.ref } : {}),
        ...(line !== undefined ? { line } : {}),
      })
    }
  }

  /** A teardown error after the test failed: kept beside the failure (the last attempt's). */
  protected countTeardownError(
    summary: FileSummary,
    id: string,
    test: TestRecord,
    error: TestError | undefined,
  ): void {
    if (test.teardownError) {
      test.teardownError = false
      summary.teardownErrors--
      this.teardownErrors--
      this.removeFailure(id, true)
    }
    if (!error) return
    test.teardownError = true
    summary.teardownErrors++
    this.teardownErrors++
    this.addFailure({
      ...refOf(summary),
      log: summary.log,
      test: test.name,
      testId: id,
      status: 'error',
      error,
      teardown: true,
    })
  }

  protected addFailure(failure: FailureSummary): void {
    this.failuresTotal++
    if (this.failures.length < MAX_FAILURES) this.failures.push(failure)
  }

  protected removeFailure(testId: string, teardown = false): void {
    this.failuresTotal--
    const i = this.failures.findIndex((f) => f.testId === testId && !!f.teardown === teardown)
    if (i >= 0) this.failures.splice(i, 1)
  }
}
