/**
 * test-run.md and run.json: the run's summary for people and agents, and for programs.
 *
 * Status first, then counts, then failing files and tests (with each error's first lines and a
 * relative link to the log), then the other files. Lists are bounded so that an agent can read the
 * summary whole, however large the run.
 */
import type { Counts, FileMode, RunStartEvent, TestError } from '@threepio/core'
import { fileLabel as plainLabel, formatDuration, formatTests, oneLine } from './log-format.js'
import { rerunCommand, shellQuote, type RerunRunner } from './rerun.js'
import {
  fileKey,
  type FailureSummary,
  type FileSummary,
  type RunState,
  type SummaryStatus,
} from './run-state.js'

/** Most files listed in run.json. */
export const MAX_FILES_JSON = 1000
/** Lines of an error shown in summaries. */
const ERROR_LINES = 10
const LINE_CHARS = 160
/** Failures shown with their error and rerun command in test-run.md. */
export const MAX_FAILURES_MD = 10
/** File names listed in test-run.md for failures beyond those (and unfinished files). */
const MAX_NAMES_MD = 20

/** run.json: the summary, machine-readable. */
export interface RunSummaryJson {
  schema: 2
  runId: string | null
  status: SummaryStatus
  /** Tests and files in one line, as the closing line and test-run.md show them. */
  headline: string
  /** The closing line without its `threepio: ` prefix and summary path (every runner prints it). */
  closing: string
  /** A round of a watch session: it may cover only some files. */
  watch?: NonNullable<RunStartEvent['watch']>
  runner: { name: string; version: string } | null
  reporter: { name: string; version: string } | null
  command: string[]
  rootDir: string | null
  startedAt: string | null
  durationMs: number
  reason?: string
  /** Tests by final status. */
  counts: Counts
  /** Teardown errors of tests that had already failed (pytest counts each as an error). */
  teardownErrors: number
  flaky: number
  /**
   * Files by status; `error` is a file that failed to load or collect; `skippedAsWhole` counts
   * the skipped files that were skipped as a whole (a module-level skip), which have no tests.
   */
  files: Record<FileSummary['status'] | 'total' | 'skippedAsWhole' | 'notStarted', number>
  failures: Array<{
    file: string
    project?: string
    mode?: FileMode
    test?: string
    status: string
    teardown?: boolean
    message: string
    /** Line in the test file where it failed (or where the test is), when known. */
    line?: number
    /** The command that reruns just this test from the project root. */
    rerun?: string
    log: string
  }>
  failuresTotal: number
  fileList: Array<{
    file: string
    project?: string
    mode?: FileMode
    status: FileSummary['status']
    counts: Counts
    teardownErrors?: number
    skipReason?: string
    failedToLoad?: boolean
    durationMs?: number
    log: string
    error?: string
    runningTest?: string
  }>
  fileListTotal: number
  /** Why tests were skipped, todo or expected to fail (bounded; most frequent first). */
  reasons: Array<{ reason: string; status: string; count: number }>
  diagnostics: { total: number; messages: string[] }
  events: { lastSeq: number; skippedLines: number }
}

const FAILING = new Set<FileSummary['status']>(['failed', 'error', 'unfinished'])

/** Failing files first (in the order they ran), then the others. */
function orderedFiles(state: RunState): { failing: FileSummary[]; other: FileSummary[] } {
  const failing: FileSummary[] = []
  const other: FileSummary[] = []
  for (const f of state.files.values()) (FAILING.has(f.status) ? failing : other).push(f)
  return { failing, other }
}

/** The first lines of an error, for summaries. */
export function errorHead(error: TestError | undefined): string {
  if (!error) return ''
  const text =
    error.diff && !error.message.includes(error.diff)
      ? `${error.message}\n${error.diff}`
      : error.message
  const lines = oneLineEach(text)
    .split('\n')
    .filter((l) => l.trim() !== '')
  // The first lines, then the lines that say what differs: a diff's `- expected` / `+ received`
  // lines (not its context) and pytest's `>` source and `E` error lines.
  const telling = (l: string) => /^\s*(?:[-+](?:\s|$)|>\s|E\s)/.test(l)
  const head: string[] = []
  let left = 0
  for (const [i, l] of lines.entries()) {
    if (head.length < ERROR_LINES && (i < 3 || telling(l))) head.push(l)
    else left++
  }
  const out = head.map((l) => (l.length > LINE_CHARS ? l.slice(0, LINE_CHARS) + '…' : l))
  if (left) out.push(`… ${left} more line(s) in the log`)
  return out.join('\n')
}

function oneLineEach(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => oneLine(l))
    .join('\n')
    .replace(/^\n+|\n+$/g, '')
}

function fileCounts(state: RunState): RunSummaryJson['files'] {
  const files = {
    total: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    error: 0,
    running: 0,
    unfinished: 0,
    skippedAsWhole: 0,
    notStarted: 0,
  }
  for (const f of state.files.values()) {
    files.total++
    files[f.status]++
    if (f.status === 'skipped' && f.skipReason !== undefined) files.skippedAsWhole++
  }
  // A run cut short: the files the runner was given that never started. (A run that ended as
  // it should ran every file it meant to, whatever it counted as a file beforehand.)
  const given = state.start?.files
  if (given !== undefined && state.status !== 'PASSED' && state.status !== 'FAILED')
    files.notStarted = Math.max(0, given - files.total)
  return files
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * `1 failed, 3 passed · 2 of 5 files failed (1 failed to load)`: the run's tests and files in
 * one line. The closing line, test-run.md, `threepio report` and run.json all use this one.
 */
export function headline(t: {
  counts: Counts
  teardownErrors: number
  files: RunSummaryJson['files']
}): string {
  const f = t.files
  const failing = f.failed + f.error
  const base = failing ? `${failing} of ${plural(f.total, 'file')} failed` : plural(f.total, 'file')
  const others = [
    f.unfinished ? `${f.unfinished} unfinished` : '',
    f.notStarted ? `${f.notStarted} not started` : '',
    f.running ? `${f.running} running` : '',
    f.skipped ? `${f.skipped} skipped` : '',
  ].filter(Boolean)
  const files =
    base + (f.error ? ` (${f.error} failed to load)` : '') + others.map((o) => `, ${o}`).join('')
  return `${formatTests(t.counts, t.teardownErrors)} · ${files}`
}

/** `FAILED`, or `PASSED (watch rerun of 2 files)` for a round of a watch session. */
export function statusLabel(status: SummaryStatus, watch?: RunStartEvent['watch']): string {
  if (!watch) return status
  const what =
    watch.round > 1
      ? `watch rerun of ${plural(watch.files, 'file')}`
      : `watch mode, first run of ${plural(watch.files, 'file')}`
  return `${status} (${what})`
}

/** run.json from the state. */
export function summaryJson(state: RunState): RunSummaryJson {
  const { failing, other } = orderedFiles(state)
  const all = [...failing, ...other]
  const start = state.start
  const counts = state.counts
  const files = fileCounts(state)
  const head = headline({ counts, teardownErrors: state.teardownErrors, files })
  return {
    schema: 2,
    runId: start?.runId ?? null,
    status: state.status,
    headline: head,
    closing: `${statusLabel(state.status, start?.watch)} · ${head} · ${formatDuration(state.durationMs)}`,
    ...(start?.watch ? { watch: start.watch } : {}),
    runner: start?.runner ?? null,
    reporter: start?.reporter ?? null,
    command: start?.argv ?? [],
    rootDir: start?.rootDir ?? null,
    startedAt: start ? new Date(start.time).toISOString() : null,
    durationMs: state.durationMs,
    ...(state.end?.reason ? { reason: state.end.reason } : {}),
    counts: { ...counts },
    teardownErrors: state.teardownErrors,
    flaky: state.flaky,
    files,
    failures: state.failures.map((f) => {
      const rerun = rerunFor(start?.runner, f)
      return {
        file: f.file,
        ...(f.project ? { project: f.project } : {}),
        ...(f.mode ? { mode: f.mode } : {}),
        ...(f.test !== undefined ? { test: f.test } : {}),
        status: f.status,
        ...(f.teardown ? { teardown: true } : {}),
        message: errorHead(f.error),
        ...(f.line !== undefined ? { line: f.line } : {}),
        ...(rerun ? { rerun } : {}),
        log: f.log,
      }
    }),
    failuresTotal: state.failuresTotal,
    fileList: all.slice(0, MAX_FILES_JSON).map((f) => ({
      file: f.file,
      ...(f.project ? { project: f.project } : {}),
      ...(f.mode ? { mode: f.mode } : {}),
      status: f.status,
      counts: f.counts,
      ...(f.teardownErrors ? { teardownErrors: f.teardownErrors } : {}),
      ...(f.skipReason !== undefined ? { skipReason: f.skipReason } : {}),
      ...(f.failedToLoad ? { failedToLoad: true } : {}),
      ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}),
      log: f.log,
      ...(f.error ? { error: errorHead(f.error) } : {}),
      ...(f.runningTest !== undefined ? { runningTest: f.runningTest } : {}),
    })),
    fileListTotal: all.length,
    reasons: state.reasons.map((r) => ({ ...r })),
    diagnostics: { total: state.diagnosticsTotal, messages: [...state.diagnostics] },
    events: { lastSeq: state.lastSeq, skippedLines: state.skippedLines },
  }
}

function rerunFor(runner: RerunRunner, f: FailureSummary): string | undefined {
  return rerunCommand(runner, {
    file: f.file,
    ...(f.project ? { project: f.project } : {}),
    ...(f.mode ? { mode: f.mode } : {}),
    ...(f.testId !== undefined ? { testId: f.testId } : {}),
    ...(f.ref ? { ref: f.ref } : {}),
  })
}

/** Inline code that survives any content (backticks, pipes, newlines). */
function code(text: string, max = 200): string {
  let t = oneLine(text)
  if (t.length > max) t = t.slice(0, max) + '…'
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length))
  const fence = '`'.repeat(longest + 1)
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${t.replace(/\|/g, '\\|')}${pad}${fence}`
}

/** A relative link target that Markdown renderers accept for any log name. */
function href(log: string): string {
  return log
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/\(/g, '%28').replace(/\)/g, '%29'))
    .join('/')
}

function fenced(text: string, indent: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length))
  const fence = '`'.repeat(longest + 1)
  return [fence, ...text.split('\n'), fence].map((l) => indent + l).join('\n')
}

function fileLabel(f: { file: string; project?: string; mode?: string }): string {
  return code(f.file) + plainLabel({ ...f, file: '' })
}

/** test-run.md from the state. */
export function summaryMarkdown(state: RunState): string {
  const json = summaryJson(state)
  const start = state.start
  const out: string[] = []
  const runner = json.runner ? `${json.runner.name} ${json.runner.version}` : 'unknown runner'
  out.push(`# ${statusLabel(json.status, json.watch)} · ${runner}`, '')
  const [tests, files] = json.headline.split(' · ')
  out.push(`**${tests}** · ${files} · ${formatDuration(json.durationMs)}`, '')
  if (json.watch)
    out.push(
      `- Watch mode: this round ran ${plural(json.watch.files, 'file')} the runner chose${json.watch.round > 1 ? ' to rerun' : ''}, not necessarily the whole suite; earlier rounds are earlier runs.`,
    )
  if (start)
    out.push(
      `- Command: ${code(start.argv.map(shellQuote).join(' '), 200)}`,
      `- Root: ${code(start.rootDir, 200)}`,
    )
  out.push(
    `- Run: ${code(json.runId ?? 'unknown')}${json.startedAt ? `, started ${json.startedAt}` : ''}`,
  )
  if (json.reason) out.push(`- Reason: ${oneLine(json.reason)}`)
  if (json.status === 'RUNNING')
    out.push(
      `- Still running: ${state.openFiles} file(s) in progress; this summary is replaced as the run goes.`,
    )
  if (json.status === 'INCOMPLETE')
    out.push(
      '- The event log ends without run-end: the test process was killed or crashed. Everything it recorded is below.',
    )
  if (json.flaky) out.push(`- Flaky: ${json.flaky} test(s) passed after failing`)
  if (json.reasons.length)
    out.push(
      `- Reasons given: ${json.reasons
        .slice(0, 5)
        .map((r) => `${code(r.reason, 120)} (${r.count} ${r.status})`)
        .join(
          ', ',
        )}${json.reasons.length > 5 ? ` and ${json.reasons.length - 5} more in run.json` : ''}`,
    )
  if (json.diagnostics.total)
    out.push(
      `- threepio had ${json.diagnostics.total} problem(s) of its own; first: ${oneLine(json.diagnostics.messages[0] ?? '')}`,
    )
  if (json.events.skippedLines)
    out.push(`- events.jsonl: ${json.events.skippedLines} unreadable line(s) skipped`)
  out.push('')

  const { failing, other } = orderedFiles(state)
  const testRunner = start?.runner
  // Failures first: each failing test (and each file that failed outside its tests) with
  // file:line, the error's telling lines and the command that reruns just it.
  const entries: Array<{ failure?: FailureSummary; file: FileSummary }> = []
  const byKey = new Map(failing.map((f) => [fileKey(f.file, f.project, f.mode), f]))
  for (const failure of state.failures) {
    const file = byKey.get(fileKey(failure.file, failure.project, failure.mode))
    if (file) entries.push({ failure, file })
  }
  // A failing file with no failure recorded (failed to load without a message, say).
  for (const f of failing)
    if (
      f.status !== 'unfinished' &&
      !f.counts.failed &&
      !f.counts.error &&
      !entries.some((e) => e.file === f)
    )
      entries.push({ file: f })
  const failed = entries
  const unfinished = failing.filter((f) => f.status === 'unfinished')
  if (failed.length) {
    const total = state.failuresTotal + entries.filter((e) => !e.failure).length
    out.push(`## Failures (${total})`, '')
    for (const [i, { failure, file }] of failed.slice(0, MAX_FAILURES_MD).entries()) {
      const where = `${file.file}${failure?.line !== undefined ? `:${failure.line}` : ''}`
      const label = code(where) + plainLabel({ ...file, file: '' })
      const what =
        failure?.test !== undefined
          ? `${code(failure.test)} (${failure.teardown ? 'error in teardown' : failure.status})`
          : file.failedToLoad
            ? 'failed to load: none of its tests ran'
            : 'failed outside its tests'
      out.push(`${i + 1}. ✗ ${label} › ${what} · [log](${href(file.log)})`)
      const head = errorHead(failure?.error ?? file.error)
      if (head) out.push(fenced(head, '   '))
      const rerun = failure
        ? rerunFor(testRunner, failure)
        : rerunCommand(testRunner, {
            file: file.file,
            ...(file.project ? { project: file.project } : {}),
            ...(file.mode ? { mode: file.mode } : {}),
          })
      if (rerun) out.push(`   Rerun: ${code(rerun, 400)}`)
      out.push('')
    }
    const more = total - Math.min(failed.length, MAX_FAILURES_MD)
    if (more > 0) {
      // An unfinished file is failing only where one of its tests failed (it is listed below).
      const withFailures = failing.filter(
        (f) => f.status !== 'unfinished' || f.counts.failed || f.counts.error,
      )
      const names = [...new Set(withFailures.map((f) => f.file))]
      out.push(
        `… and ${more} more failure(s); failing files: ${names
          .slice(0, MAX_NAMES_MD)
          .map((n) => code(n))
          .join(
            ', ',
          )}${names.length > MAX_NAMES_MD ? ` and ${names.length - MAX_NAMES_MD} more` : ''} (run.json lists them; each log has all of its own)`,
        '',
      )
    }
  }
  if (unfinished.length) {
    out.push(`## Did not finish (${unfinished.length})`, '')
    for (const f of unfinished.slice(0, MAX_NAMES_MD))
      out.push(
        `- ${fileLabel(f)}${f.runningTest !== undefined ? ` › running ${code(f.runningTest)}` : ''} · [log](${href(f.log)})`,
      )
    if (unfinished.length > MAX_NAMES_MD)
      out.push(`- … and ${unfinished.length - MAX_NAMES_MD} more (run.json lists them)`)
    out.push('')
  }
  if (state.files.size) {
    const byStatus = new Map<string, number>()
    for (const f of [...failing, ...other])
      byStatus.set(f.status, (byStatus.get(f.status) ?? 0) + 1)
    const parts = [...byStatus].map(([st, n]) => `${n} ${st}`)
    out.push(
      `## Files`,
      '',
      `${plural(state.files.size, 'file')}: ${parts.join(', ')}. Each has its log under logs/; run.json lists every file with its counts.`,
      '',
    )
    const wholeSkips = other.filter((f) => f.status === 'skipped' && f.skipReason)
    for (const f of wholeSkips.slice(0, 5))
      out.push(`- skipped as a whole: ${fileLabel(f)}: ${code(f.skipReason ?? '', 120)}`)
    if (wholeSkips.length) out.push('')
  }
  if (!state.files.size) out.push('No test files ran.', '')
  return out.join('\n')
}
