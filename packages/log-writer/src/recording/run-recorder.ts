/**
 * RunRecorder: the {@link Recorder} that records in the reporter's own thread (Vitest's, and the
 * pytest plugin's log writer). It writes events.jsonl through the
 * core event-log writer and applies every written event to the run directory, installs the exit
 * and signal hooks, and prints the closing line.
 *
 * On SIGINT, SIGTERM, SIGHUP or an exit before the run ended, it writes a run-end `interrupted`
 * event, flushes and fsyncs everything synchronously, and lets the process go on exactly as it
 * would have (same exit code, same signal): see exit-hooks.ts.
 */
import { relative } from 'node:path'
import ciInfo from 'ci-info'
import {
  CI_JOB_VARS,
  describeFsError,
  type ResolvedOptions,
  EventLogWriter,
  SCHEMA_VERSION,
  writeLatest,
  type Event,
  type EventInput,
  type RunPaths,
  type RunStartEvent,
  type RunStatus,
  type WriterDiagnostic,
} from '@threepio/core'
import { summaryJson } from '../run-model/run-json.js'
import { summaryMarkdown } from '../run-model/test-run-md.js'
import { onGitHubActions, reportToGitHub } from '../reports/github.js'
import { writeAskedExports } from '../reports/export.js'
import {
  interruptedBy,
  onProcessEnd,
  printAfterFramework,
  writeStderr,
  writeStderrNow,
} from './exit-hooks.js'
import { guarded, warningLine, warningText } from '../run-model/notes.js'
import { prepareRun, type PreparedRun } from './prepare.js'
import type { Recorder, RecorderOptions } from './recorder.js'
import { pruneRuns } from '../run-directory/retention.js'
import { RunDirectory } from '../run-directory/run-directory.js'
import {
  FaultGate,
  faultyRunDirectoryFs,
  faultyWriterFs,
  simulatedFaultFromEnv,
} from '../run-directory/simulated-faults.js'

/**
 * The CI job running this process, for run-start (provider from ci-info, which reads the
 * environment once, at load), with the shard of the suite it runs (`--shard=2/3`).
 */
function ciOf(
  env: Record<string, string | undefined>,
  argv: readonly string[],
): { ci?: NonNullable<RunStartEvent['ci']> } {
  if (!ciInfo.isCI) return {}
  const job = CI_JOB_VARS.map((v) => env[v]).find((v) => v)
  const at = argv.findIndex((a) => a === '--shard' || a.startsWith('--shard='))
  const shard =
    at < 0 ? undefined : argv[at]!.includes('=') ? argv[at]!.split('=')[1] : argv[at + 1]
  return {
    ci: { name: ciInfo.name ?? 'CI', ...(job ? { job } : {}), ...(shard ? { shard } : {}) },
  }
}

/** Records one run. Create it with {@link RunRecorder.start}. */
export class RunRecorder implements Recorder {
  private ended = false
  private exiting = false
  private readonly beforeEndHooks: Array<() => void> = []
  private warned = false
  private removeExitHook: (() => void) | undefined
  private readonly stderr: (text: string) => void
  /** The same, for text printed as the process may be ending (see writeStderrNow). */
  private readonly stderrNow: (text: string) => void

  private constructor(
    /** Paths of the run directory. */
    readonly paths: RunPaths,
    private readonly writer: EventLogWriter,
    /** The run directory being written. */
    readonly directory: RunDirectory,
    private readonly options: RecorderOptions & ResolvedOptions,
    private readonly startTime: number,
  ) {
    this.stderr = options.stderr ?? writeStderr
    this.stderrNow = options.stderr ?? writeStderrNow
  }

  /**
   * Creates the run directory, writes run-start and installs the exit hooks. Returns undefined
   * (after one warning) when the run directory cannot be created: the test run goes on without it.
   */
  static start(options: RecorderOptions): RunRecorder | undefined {
    const prepared = prepareRun(options)
    return prepared && RunRecorder.open(options, prepared)
  }

  /**
   * Opens a run directory that {@link prepareRun} created: events.jsonl, run-start, `latest`,
   * retention and (unless `handleExit` is false) the exit hooks. Returns undefined after one
   * warning when events.jsonl cannot be opened.
   */
  static open(options: RecorderOptions, prepared: PreparedRun): RunRecorder | undefined {
    const stderr = options.stderr ?? writeStderr
    const { paths, resolved, warnings } = prepared
    let seams = options.fs
    const fault = seams ? undefined : simulatedFaultFromEnv(options.env)
    if (fault) {
      const gate = new FaultGate(fault)
      seams = { events: faultyWriterFs(gate), runDir: faultyRunDirectoryFs(gate) }
    }
    const startTime = prepared.startTime
    let recorder: RunRecorder | undefined = undefined
    const onDiagnostic = (d: WriterDiagnostic) => recorder?.problem(d)
    const directory = new RunDirectory(paths.runDir, {
      mode: 'live',
      history: 'record',
      onDiagnostic,
      ...(seams?.runDir ? { fs: seams.runDir } : {}),
    })
    let writer: EventLogWriter
    try {
      writer = EventLogWriter.open(paths.events, {
        onDiagnostic,
        onEvent: (event: Event) => directory.apply(event),
        ...(seams?.events ? { fs: seams.events } : {}),
      })
    } catch (err) {
      ;(options.warn ?? stderr)(warningText(`not recording this run: ${describeFsError(err)}`))
      return undefined
    }
    recorder = new RunRecorder(paths, writer, directory, { ...options, ...resolved }, startTime)
    writer.emit({
      type: 'run-start',
      time: startTime,
      schema: SCHEMA_VERSION,
      runId: paths.runId,
      runner: options.runner,
      reporter: options.reporter,
      rootDir: options.rootDir,
      cwd: options.cwd ?? process.cwd(),
      argv: options.argv ?? process.argv,
      pid: process.pid,
      ...(options.files !== undefined ? { files: options.files } : {}),
      ...(options.watch ? { watch: options.watch } : {}),
      ...ciOf(options.env ?? process.env, options.argv ?? process.argv),
    })
    for (const message of warnings) writer.emit({ type: 'diagnostic', level: 'warn', message })
    try {
      writeLatest(resolved.outputDir, paths.runId)
    } catch (err) {
      recorder.problem({
        level: 'warn',
        message: `could not update ${resolved.outputDir}/latest: ${(err as Error).message}`,
      })
    }
    pruneRuns(resolved.outputDir, resolved.keepRuns, [paths.runId])
    if (options.handleExit !== false) {
      recorder.removeExitHook = onProcessEnd((cause) => recorder?.interrupt(interruptedBy(cause)))
    }
    return recorder
  }

  /** The run id. */
  get runId(): string {
    return this.paths.runId
  }

  /** True once the run ended (normally or interrupted). */
  get isEnded(): boolean {
    return this.ended
  }

  /** Records one event. Never throws. */
  emit(event: EventInput): void {
    if (this.ended) return
    this.writer.emit(event)
  }

  /**
   * Ends the run: writes run-end, the final logs and summary, fsyncs, and prints the closing
   * line. Synchronous; never throws; runs once.
   */
  end(result: { status: RunStatus; reason?: string }): void {
    if (this.ended) return
    for (const fn of this.beforeEndHooks.splice(0)) this.guard('a before-end hook', fn)
    this.writer.emit({
      type: 'run-end',
      status: result.status,
      durationMs: Date.now() - this.startTime,
      ...(result.reason ? { reason: result.reason } : {}),
    })
    this.close()
  }

  /** Ends the run as interrupted (exit paths). */
  interrupt(reason: string): void {
    this.exiting = true // the process may be going: print the closing line right away
    this.end({ status: 'interrupted', reason })
  }

  private close(): void {
    this.ended = true
    this.removeExitHook?.()
    this.removeExitHook = undefined
    try {
      // Events first: the run directory is rebuilt from them if it lost text.
      this.writer.closeSync()
      this.directory.finish()
      this.writeExports()
      this.reportToGitHub()
      if (!this.options.quiet && this.options.closingLine !== 'none') this.printClosingLine()
    } catch (err) {
      this.problem({
        level: 'error',
        message: `could not finish the run directory: ${String(err)}`,
      })
    }
  }

  /** The exports the options ask for (junit, ctrf), from events.jsonl as written. */
  private writeExports(): void {
    const problem = writeAskedExports(this.paths.runDir, this.options, this.directory.state.history)
    if (problem) this.problem({ level: 'warn', message: problem })
  }

  /** Under GitHub Actions: failure annotations and the step summary, as the options say. */
  private reportToGitHub(): void {
    const env = this.options.env ?? process.env
    if (!onGitHubActions(env)) return
    try {
      reportToGitHub({
        summary: summaryJson(this.directory.state),
        markdown: summaryMarkdown(this.directory.state),
        env,
        annotations: this.options.githubAnnotations,
        stepSummary: this.options.githubSummary,
        write: this.stderr,
      })
    } catch (err) {
      this.problem({
        level: 'warn',
        message: `could not add to the GitHub step summary (${env.GITHUB_STEP_SUMMARY}): ${describeFsError(err)}`,
      })
    }
  }

  private printClosingLine(): void {
    const line = this.closingLine() + '\n'
    if (this.options.closingLine === 'now' || this.exiting) return this.stderrNow(line)
    printAfterFramework(line, this.stderr, this.stderrNow)
  }

  /** `threepio: FAILED · 3 failed, 120 passed · 1 of 9 files failed · 4.2 s · .3pio/runs/<id>/test-run.md` */
  closingLine(): string {
    const json = summaryJson(this.directory.state)
    const rel = relative(process.cwd(), this.paths.summaryMd)
    const where = rel && !rel.startsWith('..') ? rel : this.paths.summaryMd
    return `threepio: ${json.closing} · ${where}`
  }

  /** Registers a function to run (once) just before run-end is written: a reporter's last flush. */
  beforeEnd(fn: () => void): void {
    this.beforeEndHooks.push(fn)
  }

  /**
   * Runs a reporter callback's body: whatever it throws becomes a warning and a diagnostic
   * event, never an exception in the framework.
   */
  guard(what: string, fn: () => void): void {
    guarded((d) => this.problem(d), what, fn)
  }

  /** threepio's own trouble: one warning on stderr per run, a diagnostic event each time. */
  problem(d: WriterDiagnostic): void {
    if (!this.warned) {
      this.warned = true
      // While the process may be going, the way the closing line goes: queued behind a full
      // pipe, the warning would be dropped, and the closing line with it.
      ;(this.options.warn ?? (this.exiting ? this.stderrNow : this.stderr))(
        warningLine(d.message, this.paths.summaryMd),
      )
    }
    if (!this.ended && !this.writer.isClosed && d.code !== 'EVENTS_DROPPED') {
      this.writer.emit({
        type: 'diagnostic',
        level: d.level,
        message: d.message,
        ...(d.code ? { code: d.code } : {}),
      })
    }
  }
}
