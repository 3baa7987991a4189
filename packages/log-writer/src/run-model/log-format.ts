/**
 * The per-file log format: the one place that decides what a log line looks like.
 *
 * ```
 * # src/api/user.test.ts
 * # vitest 3.2.4 · run 2026-11-22_03-10-00_1a2b3c4d · started 2026-11-22T03:10:00.010Z
 *
 * ▶ user > loads
 * fetching /user
 * [stderr] warning: slow fetch
 * ✗ FAILED user > loads (8 ms)
 *     AssertionError: expected 2 to be 3
 *
 * ■ FAILED src/api/user.test.ts · 1 failed, 2 passed · 20 ms
 * ```
 * Every function returns whole lines, so a log is readable at every flush point.
 */
import type { Counts, FileStatus, TestError, TestStatus } from '@threepio/core'
import { TEST_STATUSES } from '@threepio/core'

/** Marks in the margin of a log, by test status. */
const MARK: Record<TestStatus, string> = {
  passed: '✓',
  failed: '✗',
  error: '✗',
  skipped: '○',
  todo: '○',
  xfailed: '○',
  xpassed: '!',
}

/* eslint-disable no-control-regex -- these patterns exist to match control characters */
// ANSI escape sequences (colours, cursor moves): meaningless in a file.
const ANSI =
  /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g
// Other control characters, except tab and newline, become U+FFFD so logs stay text.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g
/* eslint-enable no-control-regex */

/** Text without ANSI codes (a diff's colours): what any file format or summary holds. */
export function withoutAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text
}

/** Output text as it should appear in a log: no ANSI codes, no control characters, `\n` newlines. */
export function cleanText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ANSI, '').replace(CONTROL, '\uFFFD')
}

/** A test's display name: its suites and its own name, joined by ` > `. */
export function fullName(test: { name: string; suite: readonly string[] }): string {
  return [...test.suite, test.name].join(' > ')
}

/** One-line form of a name (newlines and control characters folded). */
export function oneLine(text: string): string {
  return cleanText(text).replace(/\s*\n\s*/g, ' ⏎ ')
}

/** `1 failed, 2 passed, 1 skipped` (statuses with a zero count are left out). */
export function formatCounts(counts: Counts): string {
  const parts = TEST_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`)
  return parts.length ? parts.join(', ') : 'no tests'
}

/** `850 ms`, `4.2 s`, `3 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)} min ${s % 60} s`
}

/** `src/a.test.ts`, `src/a.test.ts [web]`, `src/a.test.ts [web] (typecheck)`: a file as people read it. */
export function fileLabel(f: { file: string; project?: string; mode?: string }): string {
  return (
    oneLine(f.file) +
    (f.project ? ` [${oneLine(f.project)}]` : '') +
    (f.mode ? ` (${oneLine(f.mode)})` : '')
  )
}

export function logHeader(label: string, runner: string, runId: string, started: number): string {
  return (
    `# ${label}\n` + `# ${runner} · run ${runId} · started ${new Date(started).toISOString()}\n\n`
  )
}

export function testStartLine(name: string): string {
  return `▶ ${oneLine(name)}\n`
}

/**
 * Marks where output of a test continues, or where output that belongs to no known test starts:
 * printed outside any test (module level, hooks of a file), or by a runner that does not say
 * which test printed it (Jest without the setup file).
 */
export function attributionLine(name: string | undefined): string {
  return name === undefined
    ? `· output not attributed to a test\n`
    : `· output of ${oneLine(name)}\n`
}

/**
 * Output lines; `atLineStart` says whether the log is at the start of a line. stderr lines are
 * marked `[stderr] `. Returns the text and whether it ended at a line start.
 */
export function outputText(
  text: string,
  stream: 'stdout' | 'stderr',
  atLineStart: boolean,
): { text: string; atLineStart: boolean } {
  const clean = cleanText(text)
  if (clean === '') return { text: '', atLineStart }
  let out = clean
  if (stream === 'stderr') {
    out = (atLineStart ? '[stderr] ' : '') + clean.replace(/\n(?=.)/gs, '\n[stderr] ')
  }
  return { text: out, atLineStart: clean.endsWith('\n') }
}

function indent(text: string, prefix = '    '): string {
  return cleanText(text)
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => (l ? prefix + l : l))
    .join('\n')
}

/**
 * A stack frame inside the test runner's own packages (jest-circus, jest-runner, expect,
 * @vitest/runner, tinypool, …) or Node's internals: noise for whoever reads a failure, which the
 * frameworks' own output leaves out too. events.jsonl keeps every frame.
 */
const RUNNER_FRAME =
  /^\s*at .*(?:[\\/]node_modules[\\/](?:\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?(?:jest-[\w-]+|@jest[\\/][\w-]+|expect|@vitest[\\/][\w-]+|vitest|tinypool|tinyspy|chai)[\\/]|\(?node:internal[\\/]|\(<anonymous>\)$)/

/** The stack without the runner's own frames, and a line saying how many were left out. */
export function withoutRunnerFrames(stack: string): string {
  const lines = stack.split('\n')
  const kept = lines.filter((l) => !RUNNER_FRAME.test(l))
  const dropped = lines.length - kept.length
  if (!dropped) return stack
  while (kept.length && kept[kept.length - 1]!.trim() === '') kept.pop()
  kept.push(`    … ${dropped} frame(s) inside the test runner and Node (events.jsonl has them)`)
  return kept.join('\n')
}

/** The error block under a failing test or file. */
export function errorBlock(error: TestError): string {
  const parts = [error.message]
  if (error.diff && !error.message.includes(error.diff)) parts.push(error.diff)
  else if (!error.diff && (error.expected !== undefined || error.actual !== undefined)) {
    parts.push(`expected: ${error.expected ?? ''}\nactual:   ${error.actual ?? ''}`)
  }
  if (error.stack && error.stack !== error.message) {
    // Stacks usually repeat the message first (`AssertionError: <message>`): keep the frames.
    // Only when the stack's first line is the message: pytest's traceback shows the message in
    // its `>` source line and `E` lines further down, and those lines must stay.
    const at = error.stack.indexOf(error.message)
    const first = at >= 0 && at < 200 && !error.stack.slice(0, at).includes('\n')
    const stack = first ? error.stack.slice(at + error.message.length) : error.stack
    if (stack.trim()) parts.push(withoutRunnerFrames(stack.replace(/^\n+/, '')))
  }
  return parts.map((p) => indent(p)).join('\n\n') + '\n'
}

export function testEndLines(
  name: string,
  status: TestStatus,
  durationMs: number | undefined,
  attempt: number | undefined,
  error: TestError | undefined,
  more: { reason?: string; teardownError?: TestError } = {},
): string {
  const took = durationMs !== undefined ? ` (${formatDuration(durationMs)})` : ''
  const retry = attempt ? ` [attempt ${attempt + 1}]` : ''
  const why = more.reason ? ` — ${oneLine(more.reason)}` : ''
  let text = `${MARK[status]} ${status.toUpperCase()} ${oneLine(name)}${retry}${took}${why}\n`
  if (error) text += errorBlock(error)
  if (more.teardownError)
    text += `✗ ERROR in teardown of ${oneLine(name)}\n` + errorBlock(more.teardownError)
  return text
}

/** `1 failed, 2 passed, 1 teardown error`: a file's or run's tests. */
export function formatTests(counts: Counts, teardownErrors = 0): string {
  const tests = formatCounts(counts)
  if (!teardownErrors) return tests
  return `${tests}, ${teardownErrors} teardown error${teardownErrors === 1 ? '' : 's'}`
}

export function fileEndLines(
  label: string,
  status: FileStatus,
  counts: Counts,
  durationMs: number | undefined,
  error: TestError | undefined,
  more: { skipReason?: string; failedToLoad?: boolean; teardownErrors?: number } = {},
): string {
  const took = durationMs !== undefined ? ` · ${formatDuration(durationMs)}` : ''
  const body = error ? errorBlock(error) : ''
  const what = more.failedToLoad
    ? 'failed to load'
    : more.skipReason !== undefined && status === 'skipped'
      ? `skipped as a whole${more.skipReason ? `: ${oneLine(more.skipReason)}` : ''}`
      : formatTests(counts, more.teardownErrors)
  return `\n${body}■ ${status.toUpperCase()} ${label} · ${what}${took}\n`
}

/** Closing line of a file the run left unfinished. */
export function unfinishedLines(label: string, runStatus: string): string {
  return `\n■ UNFINISHED ${label} · the run ended (${runStatus}) before this file did\n`
}
