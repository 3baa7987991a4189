/**
 * test-run.md: the run's summary for people and agents. Status first, then counts, then failing
 * tests (with each error's first lines, a relative link to the log and the rerun command), then
 * the files. Lists are bounded so that an agent can read it whole, however large the run.
 */
import { fileLabel as plainLabel, formatDuration, oneLine } from './log-format.js'
import { code, href } from './markdown.js'
import { rerunCommand, shellQuote } from './rerun.js'
import { fileKey, type FailureSummary, type FileSummary, type RunState } from './run-state.js'
import { failureHistory, shownHistory, type FailureHistory } from './insights.js'
import {
  errorHead,
  orderedFiles,
  plural,
  rerunFor,
  statusLabel,
  summaryJson,
  type RunSummaryJson,
} from './run-json.js'

/** Failures shown with their error and rerun command in test-run.md. */
export const MAX_FAILURES_MD = 10
/** File names listed in test-run.md for failures beyond those (and unfinished files). */
const MAX_NAMES_MD = 20
/** Other failures of one cause named beside its example. */
const SAME_CAUSE_NAMES = 5

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
  const out = header(json, state)
  const { failing, other } = orderedFiles(state)
  out.push(...failureSection(state, json, failing))
  out.push(...unfinishedSection(failing.filter((f) => f.status === 'unfinished')))
  out.push(...filesSection(state, failing, other))
  if (!state.files.size) out.push('No test files ran.', '')
  return out.join('\n')
}

/** The title, the counts and what to know before the list: command, root, run, reasons. */
function header(json: RunSummaryJson, state: RunState): string[] {
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
  out.push(...insightLines(json, state))
  if (json.diagnostics.total)
    out.push(
      `- threepio had ${json.diagnostics.total} problem(s) of its own; first: ${oneLine(json.diagnostics.messages[0] ?? '')}`,
    )
  if (json.events.skippedLines)
    out.push(`- events.jsonl: ${json.events.skippedLines} unreadable line(s) skipped`)
  if (json.events.unattributedOutput)
    out.push(
      `- ${plural(json.events.unattributedOutput, 'output line')} came with no file or test (in events.jsonl only): the runner did not say which file printed them (Vitest's browser mode, for output outside a test).`,
    )
  out.push('')

  return out
}

/** Failures first, one per cause (new causes first): its first failure in full (file:line,
 * the error's telling lines, the command that reruns just it), then the others by name. */
function failureSection(state: RunState, json: RunSummaryJson, failing: FileSummary[]): string[] {
  const entries = failureEntries(state, json, failing)
  if (!entries.length) return []
  const out: string[] = []
  const total = state.failuresTotal + entries.filter((e) => !e.failure).length
  const causes = json.causesTotal
  out.push(
    `## Failures (${total}${causes && causes < state.failuresTotal ? ` from ${plural(causes, 'cause')}` : ''})`,
    '',
  )
  let shown = 0
  for (const [i, entry] of entries.slice(0, MAX_FAILURES_MD).entries()) {
    out.push(...failureEntry(state, i + 1, entry))
    shown += entry.cause ? entry.cause.count : 1
  }
  const more = total - shown
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
  return out
}

interface Entry {
  failure?: FailureSummary
  file: FileSummary
  cause?: RunSummaryJson['causes'][number]
}

/** One entry per cause, in the order of run.json's causes, then failing files with no failure. */
function failureEntries(state: RunState, json: RunSummaryJson, failing: FileSummary[]): Entry[] {
  const byKey = new Map(failing.map((f) => [fileKey(f.file, f.project, f.mode), f]))
  const bySignature = new Map(json.causes.map((c) => [c.signature, c]))
  const first = new Map<string, Entry>()
  const loose: Entry[] = []
  for (const failure of state.failures) {
    const file = byKey.get(fileKey(failure.file, failure.project, failure.mode))
    if (!file) continue
    const cause = failure.signature !== undefined ? bySignature.get(failure.signature) : undefined
    if (!cause) loose.push({ failure, file })
    else if (!first.has(cause.signature)) first.set(cause.signature, { failure, file, cause })
  }
  const entries = json.causes.flatMap((c) => first.get(c.signature) ?? [])
  entries.push(...loose)
  // A failing file with no failure recorded (failed to load without a message, say). A file
  // with an error has its failure recorded, shown under its cause.
  for (const f of failing)
    if (
      f.status !== 'unfinished' &&
      !f.counts.failed &&
      !f.counts.error &&
      !f.error &&
      !entries.some((e) => e.file === f)
    )
      entries.push({ file: f })
  return entries
}

function failureEntry(state: RunState, n: number, { failure, file, cause }: Entry): string[] {
  const out: string[] = []
  const where = `${file.file}${failure?.line !== undefined ? `:${failure.line}` : ''}`
  const label = code(where) + plainLabel({ ...file, file: '' })
  const history = failure ? shownHistory(state.history, failure) : undefined
  const tag = history ? `, ${historyWords(history)}` : ''
  const what =
    failure?.test !== undefined
      ? `${code(failure.test)} (${failure.teardown ? 'error in teardown' : failure.status}${tag})`
      : file.failedToLoad
        ? 'failed to load: none of its tests ran'
        : 'failed outside its tests'
  out.push(`${n}. ✗ ${label} › ${what} · [log](${href(file.log)})`)
  const head = errorHead(failure?.error ?? file.error)
  if (head) out.push(fenced(head, '   '))
  const testRunner = state.start?.runner
  const rerun = failure
    ? rerunFor(testRunner, failure)
    : rerunCommand(testRunner, {
        file: file.file,
        ...(file.project ? { project: file.project } : {}),
        ...(file.mode ? { mode: file.mode } : {}),
      })
  if (rerun) out.push(`   Rerun: ${code(rerun, 400)}`)
  if (cause && cause.count > 1) {
    const others = cause.tests.slice(1, 1 + SAME_CAUSE_NAMES)
    const left = cause.count - 1 - others.length
    out.push(
      `   Same cause: ${cause.count - 1} more (${plural(cause.filesTotal, 'file')} in all): ${others
        .map((t) => code(t, 120))
        .join(', ')}${left > 0 ? ` and ${left} more` : ''}`,
    )
  }
  out.push('')
  return out
}

/** `new`, `known since 2026-12-01 (4 runs)`, `flaky: passed on this code before`. */
function historyWords(h: FailureHistory): string {
  if (h.history === 'known')
    return `known, failing ${h.failedRuns !== undefined ? `in ${plural(h.failedRuns, 'run')} ` : ''}since ${h.since ?? 'earlier runs'}`
  if (h.history === 'flaky') return 'flaky: passed on this code before'
  if (h.history === 'first') return 'new test'
  return 'new'
}

/** Lines naming a few tests: the fixed, the flaky, the slowest. */
const NAMED_IN_LINE = 3

const testName = (t: { file: string; test: string }) => code(`${t.file} › ${t.test}`, 120)
const andMore = (total: number) =>
  total > NAMED_IN_LINE ? ` and ${total - NAMED_IN_LINE} more` : ''

/** Fixed, flaky and slow tests: a line each, when there are any. */
function insightLines(json: RunSummaryJson, state: RunState): string[] {
  const out: string[] = []
  const h = json.history
  if (h?.fixed.length)
    out.push(
      `- Fixed: ${plural(h.fixed.length, 'test')} that failed in the last run that ran them pass${h.fixed.length === 1 ? 'es' : ''} now: ${h.fixed
        .slice(0, NAMED_IN_LINE)
        .map(testName)
        .join(', ')}${andMore(h.fixed.length)}`,
    )
  const flaky = state.failures.filter((f) => failureHistory(state.history, f)?.history === 'flaky')
  if (flaky.length)
    out.push(
      `- Flaky: ${plural(flaky.length, 'failing test')} passed on this same code in an earlier run: ${flaky
        .slice(0, NAMED_IN_LINE)
        .map((f) => testName({ file: f.file, test: f.test ?? '' }))
        .join(', ')}${andMore(flaky.length)}`,
    )
  const slow = json.slowest.tests.filter((t) => t.durationMs >= SLOW_MS)
  const slower = h?.slower ?? []
  if (slow.length || slower.length) {
    const parts = slow
      .slice(0, NAMED_IN_LINE)
      .map((t) => `${testName(t)} ${formatDuration(t.durationMs)}`)
    const worse = slower
      .slice(0, NAMED_IN_LINE)
      .map(
        (t) =>
          `${testName(t)} ${formatDuration(t.durationMs)} (median ${formatDuration(t.medianMs)})`,
      )
    out.push(
      `- Slow: ${parts.length ? `slowest ${parts.join(', ')}` : ''}${parts.length && worse.length ? '; ' : ''}${worse.length ? `much slower than before: ${worse.join(', ')}${andMore(slower.length)}` : ''}`,
    )
  }
  return out
}

/** Tests named as the slowest in test-run.md take at least this long. */
const SLOW_MS = 1000

function unfinishedSection(unfinished: FileSummary[]): string[] {
  const out: string[] = []
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
  return out
}

function filesSection(state: RunState, failing: FileSummary[], other: FileSummary[]): string[] {
  const out: string[] = []
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
  return out
}
