/**
 * The Jest reporter: Jest's reporter hooks in, threepio events out (Jest 29 and 30).
 *
 * Tests are reported live from workers (onTestCaseStart / onTestCaseResult); skipped and todo
 * tests, which have no hooks of their own, at file end. Console output comes from
 * `testResult.console` at file end, or live from the optional setup file (live-output.ts).
 * Which file and test a hook is about is open-files.ts; Jest's results as facts, results.ts.
 * Every hook is guarded: threepio's own trouble becomes a warning, never a failed run.
 */
import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Recorder, RecorderOptions, ThreepioOptions } from '@threepio/log-writer'
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
import { LiveOutput, liveOutput } from './live-output.js'
import { OpenFiles, resultTest, startedTest, unreported, type FileState } from './open-files.js'
import { consoleOutput, failureOf, fileEndFacts, runEndFacts, statusOf } from './results.js'

declare const __VERSION__: string

/** Options of `['@threepio/jest-reporter', { … }]`. */
export type ThreepioJestOptions = ThreepioOptions

interface TestCaseStartInfo {
  ancestorTitles: string[]
  fullName: string
  title: string
}

/** Jest runs in watch mode create new reporters for every run: the round is the process's. */
let watchRound = 0

/** Jest reporter writing a threepio run directory. */
export class ThreepioJestReporter {
  private recorder: Recorder | undefined
  private live: LiveOutput | undefined
  private readonly files: OpenFiles
  private readonly rootDir: string
  private readonly watching: boolean

  constructor(
    globalConfig: Config.GlobalConfig,
    private readonly options: ThreepioJestOptions = {},
  ) {
    this.rootDir = globalConfig.rootDir
    this.watching = globalConfig.watch || globalConfig.watchAll
    this.files = new OpenFiles(this.rootDir)
  }

  onRunStart(results?: AggregatedResult): void {
    const watch = this.watching
      ? { round: ++watchRound, files: results?.numTotalTestSuites ?? 0 }
      : undefined
    this.recorder = this.startRecorder({
      options: this.options,
      runner: { name: 'jest', version: jestVersion() },
      reporter: { name: '@threepio/jest-reporter', version: __VERSION__ },
      rootDir: this.rootDir,
      ...(results ? { files: results.numTotalTestSuites } : {}),
      ...(watch ? { watch } : {}),
    })
    const r = this.recorder
    if (r) this.live = new LiveOutput(r, this.files, this.rootDir)
  }

  onTestFileStart(test: Test): void {
    this.guard('onTestFileStart', (r) => {
      const state = this.files.get(test)
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
      const state = this.files.live(test)
      const entry = startedTest(state, test, info.fullName)
      // Events are encoded as they are emitted: Jest's own arrays need no copy, and fields left
      // undefined are left out (no spreads on the per-test path).
      r.emit({
        type: 'test-start',
        file: state.file,
        project: state.project,
        test: { id: entry.id, name: info.title, suite: info.ancestorTitles },
      })
      if (state.waiting.length) this.live?.drain(state)
    } catch (err) {
      this.threw(r, 'onTestCaseStart', err)
    }
  }

  onTestCaseResult(test: Test, result: TestCaseResult): void {
    const r = this.recorder
    if (!r || r.isEnded) return
    try {
      this.live?.beforeResult(test)
      this.reportResult(r, this.files.live(test), result as AssertionResult)
    } catch (err) {
      this.threw(r, 'onTestCaseResult', err)
    }
  }

  onTestFileResult(test: Test, result: TestResult): void {
    this.guard('onTestFileResult', (r) => {
      const state = this.files.get(test)
      this.live?.poll()
      this.live?.drain(state, true)
      for (const a of unreported(state, result.testResults)) this.reportResult(r, state, a)
      // With the setup file, only what it did not record live (afterAll hooks after the tests).
      if (result.console)
        consoleOutput(result.console, liveOutput(test) ? state.consoleSeen : 0, state, (e) =>
          r.emit(e),
        )
      r.emit({
        type: 'file-end',
        file: state.file,
        ...(state.project ? { project: state.project } : {}),
        ...fileEndFacts(result),
      })
      this.files.close(test, state)
    })
  }

  onRunComplete(_contexts: unknown, results: AggregatedResult): void {
    this.guard('onRunComplete', (r) => r.end(runEndFacts(results)))
    this.live?.stop()
    this.live = undefined
    this.recorder = undefined
  }

  /**
   * The recorder of a run: in a worker thread (Jest runs small suites in band, in this thread,
   * where every callback here delays the tests).
   */
  protected startRecorder(options: RecorderOptions): Recorder | undefined {
    return ThreadRecorder.start(options)
  }

  /** threepio never fails a Jest run: its own trouble is a warning and a diagnostic event. */
  getLastError(): Error | undefined {
    return undefined
  }

  private guard(what: string, fn: (r: Recorder) => void): void {
    const r = this.recorder
    if (!r || r.isEnded) return
    r.guard(what, () => fn(r))
  }

  /** What a hook that guards itself caught: the recorder's warning and diagnostic, as guard gives. */
  private threw(r: Recorder, what: string, err: unknown): void {
    r.guard(what, () => {
      throw err
    })
  }

  /** One attempt's result (Jest reports each attempt of a retried test; `invocations` counts them). */
  private reportResult(r: Recorder, state: FileState, a: AssertionResult): void {
    const entry = resultTest(state, a)
    const invocations = a.invocations ?? 1
    const status = statusOf(a.status)
    entry.invocations = invocations
    entry.status = status
    entry.retrying = false
    r.emit({
      type: 'test-end',
      file: state.file,
      project: state.project,
      test: { id: entry.id, name: a.title, suite: a.ancestorTitles },
      status,
      durationMs: typeof a.duration === 'number' ? a.duration : undefined,
      attempt: invocations > 1 ? invocations - 1 : undefined,
      error: status === 'failed' ? failureOf(a) : undefined,
      location: a.location
        ? { line: a.location.line, column: a.location.column || undefined }
        : undefined,
    })
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
