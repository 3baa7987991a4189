/**
 * JUnit XML (what every CI test tab reads), from a run as the exports see it.
 */
import type { TestError } from '@threepio/core'
import type { FailureHistory } from '../run-model/insights.js'
import { fileLabel } from '../run-model/log-format.js'
import {
  fileCase,
  historyOfTests,
  skippedAsWhole,
  type ExportedFile,
  type ExportedRun,
  type ExportedTest,
} from './exported-run.js'

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
  if (run.history) {
    props.ele('property', { name: 'threepio.historyRuns', value: run.history.runs })
    props.ele('property', { name: 'threepio.fixed', value: run.history.fixed.length })
  }
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
    const history = historyOfTests(run, f)
    for (const test of f.tests) addTestcase(suite, classname, f, test, history.get(test))
    addFileCases(suite, classname, f)
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${all.render()}\n`
}

/** A test's testcase: its last attempt, with its failure, skip, output and attempts. */
function addTestcase(
  suite: XmlElement,
  classname: string,
  f: ExportedFile,
  test: ExportedTest,
  history: FailureHistory | undefined,
) {
  const tc = suite.ele('testcase', {
    classname: test.suite.length ? `${classname} › ${xmlSafe(test.suite.join(' › '))}` : classname,
    name: xmlSafe(test.name),
    file: xmlSafe(f.file),
    ...(test.line !== undefined ? { line: test.line } : {}),
    time: seconds(test.durationMs),
  })
  if (test.attempts > 1 || test.flaky || history) {
    const p = tc.ele('properties')
    if (test.attempts > 1) p.ele('property', { name: 'attempts', value: test.attempts })
    if (test.flaky || history?.history === 'flaky')
      p.ele('property', { name: 'flaky', value: 'true' })
    if (history) p.ele('property', { name: 'threepio.history', value: history.history })
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

/** A file's own testcase: skipped as a whole, or failed outside its tests. */
function addFileCases(suite: XmlElement, classname: string, f: ExportedFile) {
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
