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
import { Causes } from './causes.js'
import { failureSignature } from './signature.js'

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
  /** The last attempt's duration and how many attempts there were. */
  durationMs?: number
  attempts?: number
  /** The last attempt's failure signature, when it failed; its teardown error's. */
  signature?: string
  teardownSignature?: string
}

export class RunTally {
  /** Counts so far: last attempt of each test counts. */
  readonly counts: Counts = emptyCounts()
  /** Teardown errors of tests that had already failed (pytest counts each as an error). */
  teardownErrors = 0
  /** Tests that passed after a failed attempt. */
  flaky = 0
  readonly failures: FailureSummary[] = []
  /** Every failure of the run by cause. */
  readonly causes = new Causes()
  /** The project root, for failure signatures (from run-start). */
  protected root: string | undefined
  /** Skip, todo and xfail reasons, most frequent first once read through {@link reasons}. */
  private readonly reasonCounts = new Map<string, ReasonSummary>()
  failuresTotal = 0
  diagnosticsTotal = 0
  /** Output events that named no file and no test the run knows (in events.jsonl only). */
  unattributedOutput = 0
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
    if (test.status === 'failed' || test.status === 'error')
      this.removeFailure(id, summary.file, test.name, test.signature)
    test.status = status
    if (failing) {
      const s = summary
      const line = test.line ?? lineInStack(error, s.file)
      test.signature = this.addFailure({
        ...refOf(s),
        log: s.log,
        test: test.name,
        testId: id,
        status,
        ...(error ? { error } : {}),
        ...(test.ref ? { ref: test.ref } : {}),
        ...(line !== undefined ? { line } : {}),
      })
    } else delete test.signature
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
      this.removeFailure(id, summary.file, test.name, test.teardownSignature, true)
    }
    if (!error) return
    test.teardownError = true
    summary.teardownErrors++
    this.teardownErrors++
    test.teardownSignature = this.addFailure({
      ...refOf(summary),
      log: summary.log,
      test: test.name,
      testId: id,
      status: 'error',
      error,
      teardown: true,
    })
  }

  /** Counts a failure under its cause; returns its signature. */
  protected addFailure(failure: FailureSummary): string {
    this.failuresTotal++
    const signature = failureSignature(failure.error, { file: failure.file, rootDir: this.root })
    failure.signature = signature
    this.causes.add(signature, failure)
    if (this.failures.length < MAX_FAILURES) this.failures.push(failure)
    return signature
  }

  /** A failure that no longer counts (a retry ran): out of the list and out of its cause. */
  protected removeFailure(
    testId: string,
    file: string,
    test: string,
    signature: string | undefined,
    teardown = false,
  ): void {
    this.failuresTotal--
    if (signature !== undefined) this.causes.remove(signature, { file, test })
    const i = this.failures.findIndex((f) => f.testId === testId && !!f.teardown === teardown)
    if (i >= 0) this.failures.splice(i, 1)
  }
}
