/**
 * test-run.md and run.json: the run's summary for people and agents, and for programs.
 *
 * Status first, then counts, then failing files and tests (with each error's first lines and a
 * relative link to the log), then the other files. Lists are bounded so that an agent can read the
 * summary whole, however large the run.
 */
import type { Counts, TestError } from '@threepio/core'
import { formatCounts, formatDuration, oneLine } from './log-format.js'
import type { FailureSummary, FileSummary, RunState, SummaryStatus } from './run-state.js'

/** Most failing files shown in test-run.md. */
export const MAX_FAILING_FILES_MD = 30
/** Most other files shown in test-run.md. */
export const MAX_OTHER_FILES_MD = 100
/** Most files listed in run.json. */
export const MAX_FILES_JSON = 1000
/** Lines of an error shown in summaries. */
const ERROR_LINES = 6
const LINE_CHARS = 300

/** run.json: the summary, machine-readable. */
export interface RunSummaryJson {
  schema: 1
  runId: string | null
  status: SummaryStatus
  runner: { name: string; version: string } | null
  reporter: { name: string; version: string } | null
  command: string[]
  rootDir: string | null
  startedAt: string | null
  durationMs: number
  reason?: string
  counts: Counts
  flaky: number
  files: Record<FileSummary['status'] | 'total', number>
  failures: Array<{
    file: string
    project?: string
    test?: string
    status: string
    message: string
    log: string
  }>
  failuresTotal: number
  fileList: Array<{
    file: string
    project?: string
    status: FileSummary['status']
    counts: Counts
    durationMs?: number
    log: string
    error?: string
    runningTest?: string
  }>
  fileListTotal: number
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
  const lines = oneLineEach(text).split('\n')
  const head = lines
    .slice(0, ERROR_LINES)
    .map((l) => (l.length > LINE_CHARS ? l.slice(0, LINE_CHARS) + '…' : l))
  if (lines.length > ERROR_LINES) head.push(`… ${lines.length - ERROR_LINES} more lines in the log`)
  return head.join('\n')
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
  const files = { total: 0, passed: 0, failed: 0, skipped: 0, error: 0, running: 0, unfinished: 0 }
  for (const f of state.files.values()) {
    files.total++
    files[f.status]++
  }
  return files
}

/** run.json from the state. */
export function summaryJson(state: RunState): RunSummaryJson {
  const { failing, other } = orderedFiles(state)
  const all = [...failing, ...other]
  const start = state.start
  const counts = state.end?.counts ?? state.counts
  return {
    schema: 1,
    runId: start?.runId ?? null,
    status: state.status,
    runner: start?.runner ?? null,
    reporter: start?.reporter ?? null,
    command: start?.argv ?? [],
    rootDir: start?.rootDir ?? null,
    startedAt: start ? new Date(start.time).toISOString() : null,
    durationMs: state.durationMs,
    ...(state.end?.reason ? { reason: state.end.reason } : {}),
    counts: { ...counts },
    flaky: state.flaky,
    files: fileCounts(state),
    failures: state.failures.map((f) => ({
      file: f.file,
      ...(f.project ? { project: f.project } : {}),
      ...(f.test !== undefined ? { test: f.test } : {}),
      status: f.status,
      message: errorHead(f.error),
      log: f.log,
    })),
    failuresTotal: state.failuresTotal,
    fileList: all.slice(0, MAX_FILES_JSON).map((f) => ({
      file: f.file,
      ...(f.project ? { project: f.project } : {}),
      status: f.status,
      counts: f.counts,
      ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}),
      log: f.log,
      ...(f.error ? { error: errorHead(f.error) } : {}),
      ...(f.runningTest !== undefined ? { runningTest: f.runningTest } : {}),
    })),
    fileListTotal: all.length,
    diagnostics: { total: state.diagnosticsTotal, messages: [...state.diagnostics] },
    events: { lastSeq: state.lastSeq, skippedLines: state.skippedLines },
  }
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
  return log.split('/').map(encodeURIComponent).join('/')
}

function fenced(text: string, indent: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length))
  const fence = '`'.repeat(longest + 1)
  return [fence, ...text.split('\n'), fence].map((l) => indent + l).join('\n')
}

function fileLabel(f: { file: string; project?: string }): string {
  return code(f.file) + (f.project ? ` [${oneLine(f.project)}]` : '')
}

/** test-run.md from the state. */
export function summaryMarkdown(state: RunState): string {
  const json = summaryJson(state)
  const start = state.start
  const out: string[] = []
  const runner = json.runner ? `${json.runner.name} ${json.runner.version}` : 'unknown runner'
  out.push(`# ${json.status} · ${runner}`, '')
  const fileWord = json.files.total === 1 ? 'file' : 'files'
  out.push(
    `**${formatCounts(json.counts)}** · ${json.files.total} ${fileWord} · ${formatDuration(json.durationMs)}`,
    '',
  )
  if (start)
    out.push(`- Command: ${code(start.argv.join(' '), 500)}`, `- Root: ${code(start.rootDir, 500)}`)
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
  if (json.diagnostics.total)
    out.push(
      `- threepio had ${json.diagnostics.total} problem(s) of its own; first: ${oneLine(json.diagnostics.messages[0] ?? '')}`,
    )
  if (json.events.skippedLines)
    out.push(`- events.jsonl: ${json.events.skippedLines} unreadable line(s) skipped`)
  out.push('')

  const { failing, other } = orderedFiles(state)
  if (failing.length) {
    out.push(`## Failing files (${failing.length})`, '')
    const byFile = new Map<string, FailureSummary[]>()
    for (const f of state.failures) {
      const key = `${f.project ?? ''}\0${f.file}`
      byFile.set(key, [...(byFile.get(key) ?? []), f])
    }
    for (const f of failing.slice(0, MAX_FAILING_FILES_MD)) {
      out.push(
        `### ${fileLabel(f)} — ${f.status.toUpperCase()} · ${formatCounts(f.counts)} · [log](${href(f.log)})`,
        '',
      )
      if (f.status === 'unfinished') {
        out.push(
          `- did not finish before the run ended${f.runningTest !== undefined ? `; running then: ${code(f.runningTest)}` : ''}`,
        )
      }
      for (const failure of byFile.get(`${f.project ?? ''}\0${f.file}`) ?? []) {
        out.push(
          failure.test !== undefined
            ? `- ✗ ${code(failure.test)} (${failure.status})`
            : `- the file failed to run (${failure.status})`,
        )
        const head = errorHead(failure.error)
        if (head) out.push(fenced(head, '  '))
      }
      out.push('')
    }
    if (failing.length > MAX_FAILING_FILES_MD)
      out.push(
        `… and ${failing.length - MAX_FAILING_FILES_MD} more failing files (run.json lists them)`,
        '',
      )
    if (state.failuresTotal > state.failures.length)
      out.push(
        `Details are shown for the first ${state.failures.length} of ${state.failuresTotal} failures; each log has all of its own.`,
        '',
      )
  }
  if (other.length) {
    out.push(
      `## ${failing.length ? 'Other files' : 'Files'} (${other.length})`,
      '',
      '| status | file | tests | time |',
      '|---|---|---|---|',
    )
    for (const f of other.slice(0, MAX_OTHER_FILES_MD)) {
      const took = f.durationMs !== undefined ? formatDuration(f.durationMs) : ''
      out.push(
        `| ${f.status.toUpperCase()} | [${fileLabel(f).replace(/\]/g, '\\]')}](${href(f.log)}) | ${formatCounts(f.counts)} | ${took} |`,
      )
    }
    if (other.length > MAX_OTHER_FILES_MD)
      out.push(
        '',
        `… and ${other.length - MAX_OTHER_FILES_MD} more files (run.json lists up to ${MAX_FILES_JSON})`,
      )
    out.push('')
  }
  if (!state.files.size) out.push('No test files ran.', '')
  return out.join('\n')
}
