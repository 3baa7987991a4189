/**
 * The Vitest reporter: Vitest's reporter hooks in, threepio events out. State, durability and
 * formatting live in @threepio/log-writer; this file only maps (tasks.ts reads Vitest's tasks).
 *
 * Works with Vitest 3, 4 and 5 (the TestModule/TestCase reporter API). Every hook is guarded:
 * threepio's own trouble becomes a warning and a diagnostic event, never an exception in Vitest.
 */
import { toEventFile, type FileMode, type RunStatus, type TestStatus } from '@threepio/core'
import { RunRecorder, type ThreepioOptions } from '@threepio/log-writer'
import { fileURLToPath } from 'node:url'
import { WRITES_KEY, type CapturedWrites } from './write-capture-key.js'
import { combineErrors, firstLine, isTypecheck, moduleKey, refOf, statusOf } from './tasks.js'
import type {
  Reporter,
  SerializedError,
  TestCase,
  TestModule,
  TestSuite,
  Vitest,
} from 'vitest/node'

declare const __VERSION__: string

type UserConsoleLog = Parameters<NonNullable<Reporter['onUserConsoleLog']>>[0]
type TestRunEndReason = Parameters<NonNullable<Reporter['onTestRunEnd']>>[2]
type Entity = TestCase | TestSuite | TestModule

/** One attempt of a test, as Vitest 5 reports it (`TestCase.attempts()`). */
interface Attempt {
  state: 'passed' | 'failed' | 'skipped'
  errors?: ReadonlyArray<SerializedError>
  duration: number
}

/** Options of `['@threepio/vitest-reporter', { … }]`. */
export type ThreepioVitestOptions = ThreepioOptions

/** Vitest reporter writing a threepio run directory. */
export class ThreepioVitestReporter implements Reporter {
  private vitest: Vitest | undefined
  private recorder: RunRecorder | undefined
  /** Tests (by event id) whose test-start / test-end was written in the current run. */
  private started = new Set<string>()
  private ended = new Set<string>()
  /** Modules (by {@link moduleKey}) whose file-start / file-end was written in the current run. */
  private modulesStarted = new Set<string>()
  private modulesEnded = new Set<string>()
  /** Runs started in this process: more than one only in watch mode. */
  private round = 0

  constructor(private readonly options: ThreepioVitestOptions = {}) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    addWriteCapture(vitest)
  }

  onTestRunStart(specifications?: ReadonlyArray<unknown>): void {
    // Every run (a watch-mode rerun too) is its own run directory, marked as a watch round.
    this.recorder?.interrupt('a new run started before this one ended')
    for (const set of [this.started, this.ended, this.modulesStarted, this.modulesEnded])
      set.clear()
    this.round++
    const vitest = this.vitest
    const watching = vitest?.config.watch === true
    this.recorder = RunRecorder.start({
      options: this.options,
      runner: { name: 'vitest', version: vitest?.version ?? 'unknown' },
      reporter: { name: '@threepio/vitest-reporter', version: __VERSION__ },
      rootDir: vitest?.config.root ?? process.cwd(),
      ...(specifications ? { files: specifications.length } : {}),
      ...(watching ? { watch: { round: this.round, files: specifications?.length ?? 0 } } : {}),
    })
  }

  onTestModuleStart(module: TestModule): void {
    this.guard('onTestModuleStart', () => this.startModule(module))
  }

  onTestCaseReady(test: TestCase): void {
    this.guard('onTestCaseReady', () => this.startTest(test))
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    this.guard('onUserConsoleLog', (r) => {
      const entity = log.taskId ? this.entity(log.taskId) : undefined
      const stream = log.type === 'stderr' ? 'stderr' : 'stdout'
      if (!entity) return r.emit({ type: 'output', stream, text: log.content })
      const module = entity.type === 'module' ? entity : entity.module
      this.startModule(module)
      // A test that prints has started, even if Vitest's (batched) report of that comes later.
      if (entity.type === 'test') this.startTest(entity)
      r.emit({
        type: 'output',
        ...this.fileOf(module),
        ...(entity.type === 'test' ? { testId: this.testId(entity) } : {}),
        stream,
        text: log.content,
      })
    })
  }

  onTestCaseResult(test: TestCase): void {
    this.guard('onTestCaseResult', () => this.endTest(test))
  }

  onTestModuleEnd(module: TestModule): void {
    this.guard('onTestModuleEnd', () => this.endModule(module))
  }

  private startModule(module: TestModule): void {
    const key = moduleKey(module)
    if (this.modulesStarted.has(key)) return
    this.modulesStarted.add(key)
    this.recorder?.emit({ type: 'file-start', ...this.fileOf(module) })
  }

  /** The module's facts: its tests' results, whether it loaded, its errors outside tests. */
  private endModule(module: TestModule): void {
    const r = this.recorder
    const key = moduleKey(module)
    if (!r || this.modulesEnded.has(key)) return
    this.startModule(module)
    // Skipped tests may have no result hook of their own: report every test once.
    const tests = [...module.children.allTests()]
    for (const test of tests) this.endTest(test)
    this.modulesEnded.add(key)
    const moduleErrors = module.errors()
    const hookErrors = [...module.children.allSuites()].flatMap((s) => s.errors())
    let error = combineErrors([...moduleErrors, ...hookErrors])
    // A file that failed to import or parse: Vitest collected none of its tests. (One whose
    // top-level beforeAll threw loaded: its tests are there, skipped, and the error is the file's.)
    const failedToLoad = moduleErrors.length > 0 && tests.length === 0
    const anyFailed = tests.some((t) => t.result().state === 'failed')
    if (!error && module.state() === 'failed' && !anyFailed)
      error = { message: 'Vitest marked this file as failed without reporting an error' }
    r.emit({
      type: 'file-end',
      ...this.fileOf(module),
      durationMs: module.diagnostic().duration,
      ...(error ? { error } : {}),
      ...(failedToLoad ? { failedToLoad: true } : {}),
    })
    for (const test of tests) {
      this.started.delete(this.testId(test))
      this.ended.delete(this.testId(test))
    }
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    this.guard('onTestRunEnd', (r) => {
      // Files that failed to collect (import or syntax errors) get no module-end hook.
      for (const module of modules)
        if (module.state() !== 'queued' && module.state() !== 'pending') this.endModule(module)
      let status: RunStatus =
        reason === 'interrupted' ? 'interrupted' : reason === 'failed' ? 'failed' : 'passed'
      let why: string | undefined
      if (unhandledErrors.length) {
        // Unhandled errors fail a Vitest run; say so in the summary.
        for (const e of unhandledErrors)
          r.emit({
            type: 'output',
            stream: 'stderr',
            text: `Unhandled error: ${e.stack ?? e.message}\n`,
          })
        if (status === 'passed') status = 'failed'
        why = `${unhandledErrors.length} unhandled error(s): ${firstLine(unhandledErrors[0]?.message ?? '')}`
      }
      r.end({
        status,
        ...(why ? { reason: why } : reason === 'interrupted' ? { reason: 'interrupted' } : {}),
      })
    })
    this.recorder = undefined
  }

  private guard(what: string, fn: (recorder: RunRecorder) => void): void {
    const recorder = this.recorder
    if (!recorder || recorder.isEnded) return
    recorder.guard(what, () => fn(recorder))
  }

  private fileOf(module: TestModule): { file: string; project?: string; mode?: FileMode } {
    const root = this.vitest?.config.root ?? process.cwd()
    const project = module.project.name
    return {
      file: toEventFile(root, module.moduleId),
      ...(project ? { project } : {}),
      ...(isTypecheck(module) ? { mode: 'typecheck' as const } : {}),
    }
  }

  /** A test's id in events: Vitest's own, marked for the typecheck pass (which reuses ids). */
  private testId(test: TestCase): string {
    return isTypecheck(test.module) ? `${test.id}#typecheck` : test.id
  }

  private entity(taskId: string): Entity | undefined {
    const state = this.vitest?.state as unknown as {
      getReportedEntityById?: (id: string) => Entity | undefined
      getReportedEntity: (task: unknown) => Entity | undefined
      idMap: Map<string, unknown>
    }
    if (!state) return undefined
    if (state.getReportedEntityById) return state.getReportedEntityById(taskId)
    const task = state.idMap.get(taskId)
    return task ? state.getReportedEntity(task) : undefined
  }

  private startTest(test: TestCase): void {
    const id = this.testId(test)
    // Vitest may deliver a test's hooks after its module ended: those are reported already.
    if (this.started.has(id) || this.modulesEnded.has(moduleKey(test.module))) return
    this.startModule(test.module)
    this.started.add(id)
    const file = this.fileOf(test.module)
    this.recorder?.emit({ type: 'test-start', ...file, test: refOf(test, id) })
  }

  /** The test's process.stdout/stderr writes (kept by the write capture), before its result. */
  private emitWrites(
    test: TestCase,
    base: { file: string; project?: string; mode?: FileMode },
  ): void {
    const writes = (test.meta() as Record<string, unknown>)[WRITES_KEY] as
      CapturedWrites | undefined
    if (!writes?.parts?.length) return
    const testId = this.testId(test)
    const file = { file: base.file, project: base.project, mode: base.mode }
    for (const [stream, text] of writes.parts)
      this.recorder?.emit({ type: 'output', ...file, testId, stream, text })
    if (writes.dropped) {
      const last = writes.parts[writes.parts.length - 1]?.[1] ?? ''
      this.recorder?.emit({
        type: 'output',
        ...file,
        testId,
        stream: 'stderr',
        text: `${last.endsWith('\n') ? '' : '\n'}… ${writes.dropped} more characters written by this test are not recorded\n`,
      })
    }
  }

  private endTest(test: TestCase): void {
    const final = statusOf(test)
    const id = this.testId(test)
    if (!final || this.ended.has(id) || this.modulesEnded.has(moduleKey(test.module))) return
    this.ended.add(id)
    const note = (test.result() as { note?: unknown }).note
    const base = {
      type: 'test-end' as const,
      ...this.fileOf(test.module),
      test: refOf(test, id),
      ...(test.location ? { location: test.location } : {}),
    }
    this.emitWrites(test, base)
    const errors = test.result().errors ?? []
    const diagnostic = test.diagnostic()
    const attempts = (test as unknown as { attempts?: () => ReadonlyArray<Attempt> }).attempts?.()
    if (attempts && attempts.length > 1) {
      // Vitest 5: every retry and repeat attempt, with its own errors.
      attempts.forEach((a, i) => {
        const error = combineErrors(a.errors ?? [])
        const status: TestStatus =
          i === attempts.length - 1 ? final : a.state === 'skipped' ? 'skipped' : a.state
        this.recorder?.emit({
          ...base,
          status,
          durationMs: a.duration,
          attempt: i,
          ...(error ? { error } : {}),
        })
      })
      return
    }
    // Vitest 3 and 4: the failed attempts of a retried test, then the final one.
    const retries = diagnostic?.retryCount ?? 0
    for (let i = 0; i < retries; i++) {
      const error = combineErrors(errors[i] ? [errors[i]!] : [])
      this.recorder?.emit({ ...base, status: 'failed', attempt: i, ...(error ? { error } : {}) })
    }
    const error =
      final === 'failed' ? combineErrors(retries ? errors.slice(retries) : errors) : undefined
    this.recorder?.emit({
      ...base,
      status: final,
      ...(diagnostic ? { durationMs: diagnostic.duration } : {}),
      ...(retries ? { attempt: retries } : {}),
      ...(error ? { error } : {}),
      ...(typeof note === 'string' && note && final !== 'passed' && final !== 'failed'
        ? { reason: note }
        : {}),
    })
  }
}

/** The setup file that keeps a test's process.stdout/stderr writes for its result. */
const WRITE_CAPTURE = fileURLToPath(new URL('./write-capture.js', import.meta.url))

/** Every project runs {@link WRITE_CAPTURE} too: Vitest hands reporters no raw writes. */
function addWriteCapture(vitest: Vitest): void {
  const projects = (
    vitest as unknown as { projects?: Array<{ config: { setupFiles?: string[] } }> }
  ).projects
  for (const project of projects ?? []) {
    const files = project.config.setupFiles
    if (Array.isArray(files) && !files.includes(WRITE_CAPTURE)) files.push(WRITE_CAPTURE)
  }
}
