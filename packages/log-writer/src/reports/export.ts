/**
 * Exports of a run, from its one event stream: JUnit XML (what every CI test tab reads) and
 * CTRF (the cross-framework JSON report). Both hold every test with its status, time, failure,
 * skip reason and the output attributed to it; a run without run-end is marked incomplete.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import {
  decodeEvents,
  describeFsError,
  EVENTS_FILE,
  writeFileAtomicSync,
  type Event,
  type FileMode,
  type RunEndEvent,
  type RunStartEvent,
  type TestError,
  type TestStatus,
} from '@threepio/core'
import { withoutAnsi, fileLabel, fullName } from '../run-model/log-format.js'
import { fileKey, lineInStack } from '../run-model/run-state.js'

/** Output kept per test in an export (the log has all of it). */
const MAX_OUTPUT_CHARS = 64 * 1024

export interface ExportedTest {
  id: string
  name: string
  suite: string[]
  status: TestStatus
  durationMs?: number
  error?: TestError
  teardownError?: TestError
  reason?: string
  line?: number
  /** Attempts made (retries + 1). */
  attempts: number
  /** Passed after failing. */
  flaky: boolean
  stdout: string
  stderr: string
}

export interface ExportedFile {
  file: string
  project?: string
  mode?: FileMode
  startTime?: number
  durationMs?: number
  failedToLoad?: boolean
  skipReason?: string
  error?: TestError
  tests: ExportedTest[]
}

export interface ExportedRun {
  start?: RunStartEvent
  end?: RunEndEvent
  files: ExportedFile[]
  /** events.jsonl has no run-end: the process was killed, or the run is still going. */
  incomplete: boolean
}

/** An error as a file format holds it: text without terminal colours. */
function plainError(error: TestError): TestError {
  const plain: TestError = { ...error, message: withoutAnsi(error.message) }
  for (const key of ['stack', 'diff', 'expected', 'actual'] as const) {
    const text = error[key]
    if (text !== undefined) plain[key] = withoutAnsi(text)
  }
  return plain
}

/** The run as exports see it, from its events (texts without terminal colours). */
export function exportedRun(events: Iterable<Event>): ExportedRun {
  const run: ExportedRun = { files: [], incomplete: true }
  const files = new Map<string, ExportedFile>()
  const tests = new Map<string, ExportedTest>()
  const fileOf = (e: { file: string; project?: string; mode?: FileMode }, time?: number) => {
    const key = fileKey(e.file, e.project, e.mode)
    let f = files.get(key)
    if (!f) {
      f = {
        file: e.file,
        ...(e.project ? { project: e.project } : {}),
        ...(e.mode ? { mode: e.mode } : {}),
        ...(time !== undefined ? { startTime: time } : {}),
        tests: [],
      }
      files.set(key, f)
      run.files.push(f)
    }
    return f
  }
  for (const e of events) {
    switch (e.type) {
      case 'run-start':
        run.start = e
        break
      case 'run-end':
        run.end = e
        run.incomplete = false
        break
      case 'file-start':
        fileOf(e, e.time)
        break
      case 'test-end': {
        const f = fileOf(e)
        const key = fileKey(e.file, e.project, e.mode) + '\0' + e.test.id
        let t = tests.get(key)
        if (!t) {
          t = {
            id: e.test.id,
            name: withoutAnsi(e.test.name),
            suite: e.test.suite.map(withoutAnsi),
            status: e.status,
            attempts: 0,
            flaky: false,
            stdout: '',
            stderr: '',
          }
          tests.set(key, t)
          f.tests.push(t)
        }
        const failedBefore = t.attempts > 0 && (t.status === 'failed' || t.status === 'error')
        t.attempts++
        t.status = e.status
        t.flaky = t.flaky || (failedBefore && e.status === 'passed')
        if (e.durationMs !== undefined) t.durationMs = e.durationMs
        if (e.error) t.error = plainError(e.error)
        else delete t.error
        if (e.teardownError) t.teardownError = plainError(e.teardownError)
        if (e.reason !== undefined) t.reason = withoutAnsi(e.reason)
        const line = e.location?.line ?? lineInStack(e.error, e.file)
        if (line !== undefined) t.line = line
        break
      }
      case 'output': {
        if (e.file === undefined || e.testId === undefined) break
        const t = tests.get(fileKey(e.file, e.project, e.mode) + '\0' + e.testId)
        if (!t || t[e.stream].length >= MAX_OUTPUT_CHARS) break
        t[e.stream] += withoutAnsi(e.text).slice(0, MAX_OUTPUT_CHARS - t[e.stream].length)
        break
      }
      case 'file-end': {
        const f = fileOf(e)
        if (e.durationMs !== undefined) f.durationMs = e.durationMs
        else if (f.startTime !== undefined) f.durationMs = Math.max(0, e.time - f.startTime)
        if (e.failedToLoad) f.failedToLoad = true
        if (e.skipReason !== undefined) f.skipReason = withoutAnsi(e.skipReason)
        if (e.error) f.error = plainError(e.error)
        break
      }
      default:
        break
    }
  }
  return run
}

/** The run of a run directory, from its events.jsonl. */
export function readExportedRun(runDir: string): ExportedRun {
  return exportedRun(decodeEvents(readFileSync(join(runDir, EVENTS_FILE))).events)
}

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3)

/**
 * An element of the JUnit document. The document is small and flat, so it is put together here
 * rather than with an XML library: the one that was used took ~65 ms to load, on every run of
 * every reporter, whether or not a JUnit export was asked for. Attribute values and text are
 * escaped in full (`&` always, so a name holding `&amp;` reads back as written).
 */
class XmlElement {
  private readonly children: XmlElement[] = []
  private text: string | undefined

  constructor(
    private readonly name: string,
    private readonly attrs: Record<string, string | number>,
  ) {}

  /** Adds a child element; returns it. */
  ele(name: string, attrs: Record<string, string | number> = {}): XmlElement {
    const child = new XmlElement(name, attrs)
    this.children.push(child)
    return child
  }

  /** Sets the element's text; returns the element. */
  txt(text: string): XmlElement {
    this.text = text
    return this
  }

  /** The element, indented by `depth` levels of two spaces, children one level deeper. */
  render(depth = 0): string {
    const pad = '  '.repeat(depth)
    const attrs = Object.entries(this.attrs)
      .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
      .join('')
    const open = `${pad}<${this.name}${attrs}`
    if (this.text !== undefined) return `${open}>${escapeText(this.text)}</${this.name}>`
    if (!this.children.length) return `${open}/>`
    const inner = this.children.map((c) => c.render(depth + 1)).join('\n')
    return `${open}>\n${inner}\n${pad}</${this.name}>`
  }
}

const escapeText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')

// Tabs and line breaks as character references: a parser keeps them (it would make spaces of them).
const escapeAttr = (value: string) =>
  escapeText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;')

/** Characters XML 1.0 cannot hold, even escaped. */
function xmlSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
}

function errorText(error: TestError): string {
  const parts = [error.message]
  if (error.diff && !error.message.includes(error.diff)) parts.push(error.diff)
  if (error.stack && error.stack !== error.message) parts.push(error.stack)
  return xmlSafe(parts.join('\n\n'))
}

const headline = (error: TestError) => xmlSafe(error.message.split('\n')[0] ?? '')

interface Tally {
  tests: number
  failures: number
  errors: number
  skipped: number
}

function tally(f: ExportedFile): Tally {
  const t: Tally = { tests: 0, failures: 0, errors: 0, skipped: 0 }
  for (const test of f.tests) {
    t.tests++
    if (test.status === 'failed') t.failures++
    else if (test.status === 'error') t.errors++
    else if (['skipped', 'todo', 'xfailed'].includes(test.status)) t.skipped++
    if (test.teardownError) t.errors++
  }
  if (fileCase(f)) {
    t.tests++
    t.errors++
  } else if (skippedAsWhole(f)) {
    t.tests++
    t.skipped++
  }
  return t
}

/** A file skipped as a whole before any test (pytest's module-level skip). */
function skippedAsWhole(f: ExportedFile): boolean {
  return f.skipReason !== undefined && !f.tests.length
}

/** A file that failed outside its tests (to load, or in a hook) with no failing test of its own. */
function fileCase(f: ExportedFile): boolean {
  return (
    f.failedToLoad === true ||
    (f.error !== undefined && !f.tests.some((t) => t.status === 'failed' || t.status === 'error'))
  )
}

/**
 * JUnit XML as CI servers read it: one testsuite per test file, one testcase per test (its
 * last attempt), failure / error / skipped with messages, system-out / system-err per test.
 */
export function junitXml(run: ExportedRun): string {
  const totals: Tally = { tests: 0, failures: 0, errors: 0, skipped: 0 }
  const suites = run.files.map((f) => ({ f, t: tally(f) }))
  for (const { t } of suites) {
    totals.tests += t.tests
    totals.failures += t.failures
    totals.errors += t.errors
    totals.skipped += t.skipped
  }
  const start = run.start
  const all = new XmlElement('testsuites', {
    name: start ? `${start.runner.name} ${start.runner.version}` : 'threepio',
    tests: totals.tests,
    failures: totals.failures,
    errors: totals.errors,
    skipped: totals.skipped,
    time: seconds(run.end?.durationMs),
    ...(start ? { timestamp: new Date(start.time).toISOString() } : {}),
  })
  const props = all.ele('properties')
  if (start) props.ele('property', { name: 'threepio.runId', value: start.runId })
  props.ele('property', { name: 'threepio.status', value: run.end?.status ?? 'incomplete' })
  if (run.incomplete)
    props.ele('property', {
      name: 'threepio.incomplete',
      value: 'true: events.jsonl ends without run-end (killed, or still running)',
    })
  for (const { f, t } of suites) {
    const suite = all.ele('testsuite', {
      name: xmlSafe(fileLabel(f)),
      tests: t.tests,
      failures: t.failures,
      errors: t.errors,
      skipped: t.skipped,
      time: seconds(f.durationMs),
      ...(f.startTime !== undefined ? { timestamp: new Date(f.startTime).toISOString() } : {}),
      file: xmlSafe(f.file),
    })
    const classname = xmlSafe(fileLabel(f))
    for (const test of f.tests) {
      const tc = suite.ele('testcase', {
        classname: test.suite.length
          ? `${classname} › ${xmlSafe(test.suite.join(' › '))}`
          : classname,
        name: xmlSafe(test.name),
        file: xmlSafe(f.file),
        ...(test.line !== undefined ? { line: test.line } : {}),
        time: seconds(test.durationMs),
      })
      if (test.attempts > 1 || test.flaky) {
        const p = tc.ele('properties')
        p.ele('property', { name: 'attempts', value: test.attempts })
        if (test.flaky) p.ele('property', { name: 'flaky', value: 'true' })
      }
      if (test.status === 'failed' || test.status === 'error') {
        const error = test.error ?? { message: test.status }
        tc.ele(test.status === 'failed' ? 'failure' : 'error', {
          message: headline(error),
          type: test.status === 'failed' ? 'AssertionError' : 'Error',
        }).txt(errorText(error))
      } else if (['skipped', 'todo', 'xfailed'].includes(test.status)) {
        tc.ele('skipped', {
          message: xmlSafe(
            test.reason ??
              (test.status === 'todo' ? 'todo' : test.status === 'xfailed' ? 'xfailed' : ''),
          ),
        })
      }
      if (test.teardownError)
        tc.ele('error', {
          message: `teardown: ${headline(test.teardownError)}`,
          type: 'TeardownError',
        }).txt(errorText(test.teardownError))
      if (test.stdout) tc.ele('system-out').txt(xmlSafe(test.stdout))
      if (test.stderr) tc.ele('system-err').txt(xmlSafe(test.stderr))
    }
    if (!fileCase(f) && skippedAsWhole(f))
      suite
        .ele('testcase', {
          classname,
          name: '(skipped as a whole)',
          file: xmlSafe(f.file),
          time: '0.000',
        })
        .ele('skipped', { message: xmlSafe(f.skipReason ?? '') })
    if (fileCase(f)) {
      const error = f.error ?? { message: 'the file failed to load' }
      suite
        .ele('testcase', {
          classname,
          name: f.failedToLoad ? '(failed to load)' : '(outside any test)',
          file: xmlSafe(f.file),
          time: '0.000',
        })
        .ele('error', { message: headline(error), type: 'Error' })
        .txt(errorText(error))
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${all.render()}\n`
}

type CtrfStatus = 'passed' | 'failed' | 'skipped' | 'pending' | 'other'

const CTRF_STATUS: Record<TestStatus, CtrfStatus> = {
  passed: 'passed',
  failed: 'failed',
  error: 'failed',
  skipped: 'skipped',
  xfailed: 'skipped',
  todo: 'pending',
  xpassed: 'passed',
}

/** A CTRF report (specVersion 0.0.0), as the `ctrf` reference package validates it. */
export function ctrfReport(run: ExportedRun): Record<string, unknown> {
  const tests: Array<Record<string, unknown>> = []
  const summary = { tests: 0, passed: 0, failed: 0, skipped: 0, pending: 0, other: 0 }
  for (const f of run.files) {
    for (const t of f.tests) {
      const status = CTRF_STATUS[t.status]
      summary.tests++
      summary[status]++
      tests.push({
        name: fullName(t),
        status,
        duration: Math.round(t.durationMs ?? 0),
        ...(t.status !== status ? { rawStatus: t.status } : {}),
        suite: [fileLabel(f), ...t.suite],
        filePath: f.file,
        ...(t.line !== undefined ? { line: t.line } : {}),
        ...(t.error ? { message: t.error.message } : t.reason ? { message: t.reason } : {}),
        ...(t.error?.stack ? { trace: t.error.stack } : {}),
        ...(t.attempts > 1 ? { retries: t.attempts - 1 } : {}),
        ...(t.flaky ? { flaky: true } : {}),
        ...(t.stdout
          ? { stdout: t.stdout.split('\n').filter((l, i, a) => l || i < a.length - 1) }
          : {}),
        ...(t.stderr
          ? { stderr: t.stderr.split('\n').filter((l, i, a) => l || i < a.length - 1) }
          : {}),
        extra: { id: t.id, ...(t.teardownError ? { teardownError: t.teardownError.message } : {}) },
      })
    }
    if (fileCase(f)) {
      summary.tests++
      summary.failed++
      tests.push({
        name: `${fileLabel(f)} ${f.failedToLoad ? '(failed to load)' : '(outside any test)'}`,
        status: 'failed',
        duration: 0,
        rawStatus: 'error',
        suite: [fileLabel(f)],
        filePath: f.file,
        message: f.error?.message ?? 'the file failed to load',
        extra: { file: true },
        ...(f.error?.stack ? { trace: f.error.stack } : {}),
      })
    }
  }
  const start = Math.round(run.start?.time ?? 0)
  return {
    reportFormat: 'CTRF',
    specVersion: '0.0.0',
    ...(run.start ? { timestamp: new Date(start).toISOString() } : {}),
    generatedBy: run.start
      ? `${run.start.reporter.name} ${run.start.reporter.version}`
      : 'threepio',
    results: {
      tool: {
        name: run.start?.runner.name ?? 'unknown',
        ...(run.start ? { version: run.start.runner.version } : {}),
      },
      summary: { ...summary, start, stop: start + Math.round(run.end?.durationMs ?? 0) },
      tests,
      extra: {
        ...(run.start ? { runId: run.start.runId } : {}),
        status: run.end?.status ?? 'incomplete',
        incomplete: run.incomplete,
      },
    },
  }
}

export type ExportFormat = 'junit' | 'ctrf'

/** The export's text. */
export function exportText(run: ExportedRun, format: ExportFormat): string {
  return format === 'junit' ? junitXml(run) : JSON.stringify(ctrfReport(run), null, 2) + '\n'
}

/** Writes an export atomically (creating its directory). Throws on failure. */
export function writeExport(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileAtomicSync(path, text)
}

/**
 * Writes the exports `options` asks for (a path each, '' for none) from the run's events.
 * Returns a problem to report, or undefined; never throws.
 */
export function writeAskedExports(
  runDir: string,
  options: { junit?: string; ctrf?: string },
): string | undefined {
  const asked = (['junit', 'ctrf'] as const).filter((f) => options[f])
  if (!asked.length) return undefined
  const problems: string[] = []
  let run: ExportedRun
  try {
    run = readExportedRun(runDir)
  } catch (err) {
    return `could not read ${join(runDir, EVENTS_FILE)} for the ${asked.join(' and ')} export: ${describeFsError(err)}`
  }
  for (const format of asked) {
    const path = options[format]!
    try {
      writeExport(path, exportText(run, format))
    } catch (err) {
      problems.push(
        `could not write the ${format} export (${format} option) to ${path}: ${describeFsError(err)}`,
      )
    }
  }
  return problems.length ? problems.join('; ') : undefined
}
