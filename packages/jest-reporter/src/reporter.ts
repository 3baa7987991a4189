/**
 * The Jest reporter: Jest's reporter hooks in, threepio events out (Jest 29 and 30).
 *
 * Tests are reported live from workers (onTestCaseStart / onTestCaseResult); skipped and todo
 * tests, which have no hooks of their own, at file end. Console output comes from
 * `testResult.console` at file end, or live from the optional setup file's side files.
 * Every hook is guarded: threepio's own trouble becomes a warning, never a failed run.
 */
import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { EventInput, OutputEvent, RunStatus, TestError, TestStatus } from '@threepio/core'
import { toEventFile } from '@threepio/core/path-map'
import { MAX_OUTPUT_CHARS } from '@threepio/core/output-text'
import type { ThreepioOptions } from '@threepio/log-writer'
// The recording runs in a worker thread: Jest runs small suites in its own thread, where every
// callback here delays the tests. Only the options, the run directory and event hand-over load here.
import { ThreadRecorder } from '@threepio/log-writer/thread'
import type {
  AggregatedResult,
  AssertionResult,
  Test,
  TestCaseResult,
  TestResult,
} from '@jest/test-result'
import type { Config } from '@jest/types'
import {
  jestTestId,
  LIVE_HUB,
  ROOT_DIR_ENV,
  SIDE_DIR_ENV,
  SIDE_DIR_NAME,
  type LiveHub,
  type LiveSink,
  type SideOutput,
} from './protocol.js'
import { installCapture } from './capture.js'
import { SideFiles } from './side-files.js'
import { mayRetry } from './retries.js'

declare const __VERSION__: string

/** Options of `['@threepio/jest-reporter', { … }]`. */
export type ThreepioJestOptions = ThreepioOptions

interface TestCaseStartInfo {
  ancestorTitles: string[]
  fullName: string
  title: string
}

interface TestEntry {
  id: string
  /** Attempts reported so far (Jest's `invocations`); 0 before the first result. */
  invocations: number
  status?: TestStatus
  /** A retry of it has started. */
  retrying?: boolean
}

interface FileState {
  /** Absolute path, as Jest gives it. */
  path: string
  file: string
  project?: string
  /** The tests seen in this file, by full name (several when titles repeat). */
  tests: Map<string, TestEntry[]>
  /** Test invocations in the order they started (a retry again): side-file output names them. */
  starts: TestEntry[]
  /** Live output of a test invocation whose start has not been reported yet, in order … */
  waiting: OutputInput[]
  /** … and the ordinal of the test invocation that printed each (undefined: none). */
  waitingStarts: Array<number | undefined>
  /** Console entries of the file recorded live (the rest come with its result). */
  consoleSeen: number
}

type OutputInput = Extract<EventInput, { type: 'output' }>

/** Jest runs in watch mode create new reporters for every run: the round is the process's. */
let watchRound = 0

/** Read once: in the CommonJS build an imported binding is a getter call on every use. */
const MAX_CHARS = MAX_OUTPUT_CHARS

/** How often the workers' live output is read (it reaches the logs within this, plus 25 ms). */
const SIDE_FILE_POLL_MS = 25

/** Jest reporter writing a threepio run directory. */
export class ThreepioJestReporter {
  private recorder: ThreadRecorder | undefined
  private sideFiles: SideFiles | undefined
  /** What the setup file finds in band (on `process` while the run goes). */
  private liveHub: LiveHub | undefined
  private sideSkipped = 0
  /** The setup file had the capture installed here: the tests run in this process, not in workers. */
  private inBand = false
  private pollTimer: NodeJS.Timeout | undefined
  private lastPoll = 0
  private readonly files = new Map<string, FileState>()
  /** The answer of {@link liveOutputFile} for the file of the last live output. */
  private liveFile: { file: string; state: FileState | undefined } | undefined
  /** The answer of {@link liveFileState} while only one file is open. */
  private liveState: FileState | undefined
  private readonly rootDir: string

  private readonly watching: boolean

  constructor(
    globalConfig: Config.GlobalConfig,
    private readonly options: ThreepioJestOptions = {},
  ) {
    this.rootDir = globalConfig.rootDir
    this.watching = globalConfig.watch || globalConfig.watchAll
  }

  onRunStart(results?: AggregatedResult): void {
    const watch = this.watching
      ? { round: ++watchRound, files: results?.numTotalTestSuites ?? 0 }
      : undefined
    this.recorder = ThreadRecorder.start({
      options: this.options,
      runner: { name: 'jest', version: jestVersion() },
      reporter: { name: '@threepio/jest-reporter', version: __VERSION__ },
      rootDir: this.rootDir,
      ...(results ? { files: results.numTotalTestSuites } : {}),
      ...(watch ? { watch } : {}),
    })
    const r = this.recorder
    if (!r) return
    // Workers start after this and inherit the environment: the setup file finds its side file.
    const dir = join(r.paths.runDir, SIDE_DIR_NAME)
    process.env[SIDE_DIR_ENV] = dir
    process.env[ROOT_DIR_ENV] = this.rootDir
    this.sideFiles = new SideFiles(dir)
    // In band, the setup file runs in this process: it has this module install the capture, which
    // hands output over here, not through a file. Called for every console line: no closure per
    // call, and the guard only when it throws.
    const sink: LiveSink = (event, testStart, consoleIndex) => {
      if (r.isEnded) return
      try {
        this.acceptLive(event, testStart, consoleIndex)
      } catch (err) {
        this.threw(r, 'live output', err)
      }
    }
    const rootDir = this.rootDir
    const hub: LiveHub = {
      install: (globals) => {
        this.inBand = true
        if (!r.isEnded) r.guard('the setup file', () => installCapture(globals, dir, rootDir, sink))
      },
    }
    this.liveHub = hub
    ;(process as unknown as Record<symbol, unknown>)[LIVE_HUB] = hub
    this.pollTimer = setInterval(
      () => this.guard('reading live output', () => this.pollSideFiles()),
      SIDE_FILE_POLL_MS,
    )
    this.pollTimer.unref()
    r.beforeEnd(() => {
      this.removeLiveHub()
      clearInterval(this.pollTimer)
      this.pollSideFiles()
      for (const state of this.files.values()) this.drain(state, true)
    })
  }

  onTestFileStart(test: Test): void {
    this.guard('onTestFileStart', (r) => {
      const state = this.fileState(test)
      r.emit({
        type: 'file-start',
        file: state.file,
        ...(state.project ? { project: state.project } : {}),
      })
    })
  }

  // The two hooks of every test: no closure for the guard, which only matters when they throw.
  onTestCaseStart(test: Test, info: TestCaseStartInfo): void {
    const r = this.recorder
    if (!r || r.isEnded) return
    try {
      const state = this.liveFileState(test)
      const list = entries(state, info.fullName)
      // jest.retryTimes runs failed tests again: a start of a failed test's title is its retry
      // where the file may retry, else another test of that title. (Two tests with one title, the
      // first failing and retried, can be confused here; their results, which carry the attempt
      // number, are not.)
      let entry: TestEntry | undefined
      for (const e of list)
        if (e.status === 'failed' && !e.retrying) {
          entry = e
          break
        }
      if (entry && !mayRetry(test)) entry = undefined
      if (entry) entry.retrying = true
      else
        list.push(
          (entry = { id: jestTestId(state.file, info.fullName, list.length + 1), invocations: 0 }),
        )
      state.starts.push(entry)
      // Events are encoded as they are emitted: Jest's own arrays need no copy, and fields left
      // undefined are left out (no spreads on the per-test path).
      r.emit({
        type: 'test-start',
        file: state.file,
        project: state.project,
        test: { id: entry.id, name: info.title, suite: info.ancestorTitles },
      })
      if (state.waiting.length) this.drain(state)
    } catch (err) {
      this.threw(r, 'onTestCaseStart', err)
    }
  }

  onTestCaseResult(test: Test, result: TestCaseResult): void {
    const r = this.recorder
    if (!r || r.isEnded) return
    try {
      // Once per test is a hot path: read the side files at most every 20 ms here, and only where
      // the setup file writes them (not in band, where it hands its output over directly).
      if (!this.inBand && liveOutput(test) && Date.now() - this.lastPoll >= 20) this.pollSideFiles()
      this.reportResult(this.liveFileState(test), result as AssertionResult)
    } catch (err) {
      this.threw(r, 'onTestCaseResult', err)
    }
  }

  onTestFileResult(test: Test, result: TestResult): void {
    this.guard('onTestFileResult', (r) => {
      const state = this.fileState(test)
      this.pollSideFiles()
      this.drain(state, true)
      // Results without a live hook (skipped, todo, or a Jest without onTestCaseResult).
      const seen = new Map<string, number>()
      for (const a of result.testResults) {
        const n = bump(seen, a.fullName)
        const entry = entries(state, a.fullName)[n - 1]
        if (!entry?.status) this.reportResult(state, a)
      }
      if (result.console) {
        // Jest gives a file's console output at its end, without the test that printed it; with
        // the setup file, only what it did not record live (afterAll hooks after the tests).
        // Consecutive entries of one stream are one event: here they carry no test and one time,
        // so the logs are the same with a fraction of the events to encode and record.
        const lines = result.console
        let stream: 'stdout' | 'stderr' | undefined
        let text = ''
        const put = () => {
          if (stream && text)
            r.emit({ type: 'output', file: state.file, project: state.project, stream, text })
          text = ''
        }
        for (let i = liveOutput(test) ? state.consoleSeen : 0; i < lines.length; i++) {
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
      // A suite that failed to run (syntax or import error): Jest ran none of its tests.
      const ran = result.testResults.some((a) => a.status === 'passed' || a.status === 'failed')
      const execError = result.testExecError
        ? toError(result.testExecError.message, result.testExecError.stack ?? undefined)
        : undefined
      const anyFailed = result.testResults.some((a) => a.status === 'failed')
      // A failure outside any test (an afterAll hook): Jest fails the suite, not a test.
      const error =
        execError ??
        (result.failureMessage && !anyFailed ? toError(result.failureMessage) : undefined)
      const durationMs = result.perfStats
        ? Math.max(0, result.perfStats.end - result.perfStats.start)
        : undefined
      r.emit({
        type: 'file-end',
        ...where(state),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(error ? { error } : {}),
        ...(execError && !ran ? { failedToLoad: true } : {}),
      })
      this.files.delete(test.path + '\0' + (state.project ?? ''))
      this.liveFile = undefined
      this.liveState = undefined
    })
  }

  onRunComplete(_contexts: unknown, results: AggregatedResult): void {
    this.guard('onRunComplete', (r) => {
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
      r.end({ status, ...(reason ? { reason } : {}) })
    })
    clearInterval(this.pollTimer)
    this.removeLiveHub()
    this.recorder = undefined
  }

  private removeLiveHub(): void {
    const host = process as unknown as Record<symbol, unknown>
    if (this.liveHub && host[LIVE_HUB] === this.liveHub) delete host[LIVE_HUB]
    this.liveHub = undefined
  }

  /** threepio never fails a Jest run: its own trouble is a warning and a diagnostic event. */
  getLastError(): Error | undefined {
    return undefined
  }

  private guard(what: string, fn: (r: ThreadRecorder) => void): void {
    const r = this.recorder
    if (!r || r.isEnded) return
    r.guard(what, () => fn(r))
  }

  /** What a hook that guards itself caught: the recorder's warning and diagnostic, as guard gives. */
  private threw(r: ThreadRecorder, what: string, err: unknown): void {
    r.guard(what, () => {
      throw err
    })
  }

  private fileState(test: Test): FileState {
    const project = displayName(test.context.config.displayName)
    const key = test.path + '\0' + (project ?? '')
    let state = this.files.get(key)
    if (!state) {
      state = {
        path: test.path,
        file: toEventFile(this.rootDir, test.path),
        ...(project ? { project } : {}),
        tests: new Map(),
        starts: [],
        waiting: [],
        waitingStarts: [],
        consoleSeen: 0,
      }
      this.files.set(key, state)
      this.liveFile = undefined
      this.liveState = undefined
    }
    return state
  }

  /**
   * The file a live (worker) hook is about. Jest hands these hooks the last project's context
   * whatever the project, so the project comes from the file's own start when it is unambiguous.
   */
  private liveFileState(test: Test): FileState {
    const last = this.liveState
    if (last && last.path === test.path && this.files.size === 1) return last
    let only: FileState | undefined
    let open = 0
    for (const f of this.files.values()) if (f.path === test.path && open++ === 0) only = f
    if (open === 1) return (this.liveState = only!)
    const project = displayName(test.context.config.displayName)
    const all = [...this.files.values()].filter((f) => f.path === test.path)
    return all.find((f) => f.project === project) ?? all[0] ?? this.fileState(test)
  }

  /** One attempt's result (Jest reports each attempt of a retried test; `invocations` counts them). */
  private reportResult(state: FileState, a: AssertionResult): void {
    const list = entries(state, a.fullName)
    const invocations = a.invocations ?? 1
    // The common case first: a test's only result.
    let entry =
      list.length === 1 && invocations === 1 && list[0]!.invocations === 0
        ? list[0]
        : ((invocations > 1
            ? list.find((e) => e.invocations === invocations - 1 && e.status === 'failed')
            : undefined) ?? list.find((e) => e.invocations === 0))
    if (!entry)
      list.push(
        (entry = { id: jestTestId(state.file, a.fullName, list.length + 1), invocations: 0 }),
      )
    const status = statusOf(a.status)
    entry.invocations = invocations
    entry.status = status
    entry.retrying = false
    const error = status === 'failed' ? failureOf(a) : undefined
    this.recorder?.emit({
      type: 'test-end',
      file: state.file,
      project: state.project,
      test: { id: entry.id, name: a.title, suite: a.ancestorTitles },
      status,
      durationMs: typeof a.duration === 'number' ? a.duration : undefined,
      attempt: invocations > 1 ? invocations - 1 : undefined,
      error,
      location: a.location
        ? { line: a.location.line, column: a.location.column || undefined }
        : undefined,
    })
  }

  /**
   * Emits the file's waiting live output, each part under the test invocation that printed it
   * (matched by start order, so tests that share a title stay apart). `all` at the file's end.
   */
  private drain(state: FileState, all = false): void {
    const { waiting, waitingStarts } = state
    let i = 0
    for (; i < waiting.length; i++) {
      const testStart = waitingStarts[i]
      const entry = testStart !== undefined ? state.starts[testStart - 1] : undefined
      if (testStart !== undefined && !entry && !all) break
      const event = waiting[i]!
      if (entry) event.testId = entry.id
      this.recorder?.emit(event)
    }
    if (i) {
      waiting.splice(0, i)
      waitingStarts.splice(0, i)
    }
  }

  /**
   * One output event of the setup file (from a side file, or handed over in band: then the event
   * is ours to complete), with the test invocation that printed it and its console entry.
   */
  private acceptLive(
    event: OutputInput,
    testStart: number | undefined,
    consoleIndex: number | undefined,
  ): void {
    if (!this.recorder) return
    const state = this.liveOutputFile(event.file)
    if (!state) {
      this.recorder.emit(event)
      return
    }
    if (state.project) event.project = state.project
    if (consoleIndex !== undefined && consoleIndex >= state.consoleSeen)
      state.consoleSeen = consoleIndex + 1
    // Output of a test whose start Jest has not reported yet waits for it, keeping its order.
    const entry = testStart !== undefined ? state.starts[testStart - 1] : undefined
    if (!state.waiting.length && (entry || testStart === undefined)) {
      if (entry) event.testId = entry.id
      this.recorder.emit(event)
      return
    }
    state.waiting.push(event)
    state.waitingStarts.push(testStart)
    this.drain(state)
  }

  /**
   * The file of live output: the setup file does not know the project, so it is the one running
   * that file, if only one is. The last answer is kept until a file starts or ends.
   */
  private liveOutputFile(file: string | undefined): FileState | undefined {
    if (file === undefined) return undefined
    if (this.liveFile?.file === file) return this.liveFile.state
    let state: FileState | undefined
    let open = 0
    for (const f of this.files.values()) if (f.file === file && open++ === 0) state = f
    if (open > 1) state = undefined
    this.liveFile = { file, state }
    return state
  }

  private pollSideFiles(): void {
    this.lastPoll = Date.now()
    if (!this.sideFiles || !this.recorder) return
    for (const event of this.sideFiles.poll()) {
      if (event.type !== 'output') continue
      const { seq: _seq, testStart, consoleIndex, ...output } = event as OutputEvent & SideOutput
      this.acceptLive(output, testStart, consoleIndex)
    }
    const skipped = this.sideFiles.skipped
    if (skipped > this.sideSkipped) {
      this.sideSkipped = skipped
      this.recorder.problem({
        level: 'warn',
        code: 'ESIDEFILE',
        message: `${skipped} line(s) of live output from Jest workers (${this.sideFiles.dir}) could not be read and were skipped`,
      })
    }
  }
}

function where(state: FileState): { file: string; project?: string } {
  return { file: state.file, ...(state.project ? { project: state.project } : {}) }
}

function bump(map: Map<string, number>, key: string): number {
  const n = (map.get(key) ?? 0) + 1
  map.set(key, n)
  return n
}

function entries(state: FileState, fullName: string): TestEntry[] {
  let list = state.tests.get(fullName)
  if (!list) state.tests.set(fullName, (list = []))
  return list
}

function statusOf(status: AssertionResult['status']): TestStatus {
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

const usesSetupFile = new WeakMap<Config.ProjectConfig, boolean>()

/** True when the project loads the setup file: console output then comes live, not at file end. */
function liveOutput(test: Test): boolean {
  const config = test.context.config
  let uses = usesSetupFile.get(config)
  if (uses === undefined) {
    uses = config.setupFilesAfterEnv.some((f) =>
      /[\\/]jest-reporter[\\/](dist[\\/])?setup\.c?js$/.test(f),
    )
    usesSetupFile.set(config, uses)
  }
  return uses
}

function displayName(name: Config.ProjectConfig['displayName']): string | undefined {
  if (!name) return undefined
  return typeof name === 'string' ? name : name.name
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

function failureOf(a: AssertionResult): TestError | undefined {
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

function jestVersion(): string {
  // The jest that runs us, found from its own bin (argv[1]), as a user's project resolves it.
  const from = [process.argv[1], join(process.cwd(), 'package.json')]
  for (const start of from) {
    if (!start) continue
    for (const name of ['jest/package.json', 'jest-cli/package.json', '@jest/core/package.json']) {
      try {
        return (createRequire(realpathSync(start))(name) as { version: string }).version
      } catch {
        // try the next
      }
    }
  }
  return 'unknown'
}
