/** Jest's results as threepio facts: statuses, errors, a file's end and its console output. */
import type { EventInput, RunStatus, TestError, TestStatus } from '@threepio/core'
import { MAX_OUTPUT_CHARS } from '@threepio/core/output-text'
import type { AggregatedResult, AssertionResult, TestResult } from '@jest/test-result'

/** Read once: in the CommonJS build an imported binding is a getter call on every use. */
const MAX_CHARS = MAX_OUTPUT_CHARS

export function statusOf(status: AssertionResult['status']): TestStatus {
  switch (status) {
    case 'passed':
    case 'focused':
      return 'passed'
    case 'failed':
      return 'failed'
    case 'todo':
      return 'todo'
    default:
      return 'skipped' // pending, skipped, disabled
  }
}

/** The facts of a file's end: how long it took, an error outside its tests, failed to load. */
export function fileEndFacts(result: TestResult) {
  // A suite that failed to run (syntax or import error): Jest ran none of its tests.
  const ran = result.testResults.some((a) => a.status === 'passed' || a.status === 'failed')
  const execError = result.testExecError
    ? toError(result.testExecError.message, result.testExecError.stack ?? undefined)
    : undefined
  const anyFailed = result.testResults.some((a) => a.status === 'failed')
  // A failure outside any test (an afterAll hook): Jest fails the suite, not a test.
  const error =
    execError ?? (result.failureMessage && !anyFailed ? toError(result.failureMessage) : undefined)
  const durationMs = result.perfStats
    ? Math.max(0, result.perfStats.end - result.perfStats.start)
    : undefined
  return {
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(error ? { error } : {}),
    ...(execError && !ran ? { failedToLoad: true as const } : {}),
  }
}

/** The run's status and reason, as Jest counted it. */
export function runEndFacts(results: AggregatedResult): { status: RunStatus; reason?: string } {
  let status: RunStatus =
    results.numFailedTests > 0 ||
    results.numFailedTestSuites > 0 ||
    results.numRuntimeErrorTestSuites > 0
      ? 'failed'
      : 'passed'
  if (results.wasInterrupted) status = 'interrupted'
  const reason = results.numRuntimeErrorTestSuites
    ? `${results.numRuntimeErrorTestSuites} test file(s) failed to run`
    : undefined
  return { status, ...(reason ? { reason } : {}) }
}

/**
 * A file's console output as Jest gives it at the file's end, from entry `from` on, without the
 * test that printed it. Consecutive entries of one stream are one event: here they carry no test
 * and one time, so the logs are the same with a fraction of the events to encode and record.
 */
export function consoleOutput(
  lines: NonNullable<TestResult['console']>,
  from: number,
  where: { file: string; project?: string | undefined },
  emit: (event: EventInput) => void,
): void {
  let stream: 'stdout' | 'stderr' | undefined
  let text = ''
  const put = () => {
    if (stream && text)
      emit({ type: 'output', file: where.file, project: where.project, stream, text })
    text = ''
  }
  for (let i = from; i < lines.length; i++) {
    const entry = lines[i]!
    const s = entry.type === 'error' || entry.type === 'warn' ? 'stderr' : 'stdout'
    if (s !== stream || text.length >= MAX_CHARS) {
      put()
      stream = s
    }
    text += entry.message + '\n'
  }
  put()
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

function toError(message: string, stack?: string): TestError {
  const clean = message.replace(ANSI, '')
  return {
    message: clean,
    ...(stack && stack !== message ? { stack: stack.replace(ANSI, '') } : {}),
  }
}

/** A failed test's error: Jest's first message split at its stack, the others after it. */
export function failureOf(a: AssertionResult): TestError | undefined {
  const messages = a.failureMessages.map((m) => m.replace(ANSI, ''))
  if (!messages.length) return undefined
  const detail = (a.failureDetails?.[0] ?? {}) as {
    matcherResult?: { expected?: unknown; actual?: unknown; message?: string }
  }
  const str = (v: unknown) =>
    v === undefined ? undefined : typeof v === 'string' ? v : safeJson(v)
  const expected = str(detail.matcherResult?.expected)
  const actual = str(detail.matcherResult?.actual)
  const [first] = messages
  // Jest's message is the matcher text, a diff, then the stack: split at the first frame.
  const at = first!.search(/\n\s+at /)
  return {
    message:
      (at > 0 ? first!.slice(0, at) : first!) +
      messages
        .slice(1)
        .map((m, i) => `\n\n[error ${i + 2} of ${messages.length}] ${m}`)
        .join(''),
    ...(at > 0 ? { stack: first!.slice(at + 1) } : {}),
    ...(expected !== undefined ? { expected } : {}),
    ...(actual !== undefined ? { actual } : {}),
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v)
  } catch {
    return String(v)
  }
}
