/**
 * What a reporter records a run with: the one interface of both recorders. {@link RunRecorder}
 * records in the reporter's thread; {@link ThreadRecorder} hands each event to a worker thread
 * that records it the same way (for Jest, whose small suites run in the reporter's thread).
 */
import type {
  EventInput,
  RunPaths,
  RunStartEvent,
  RunStatus,
  WriterDiagnostic,
  WriterFs,
} from '@threepio/core'
import type { RunDirectoryFs } from '../run-directory/run-directory.js'

/** Options every reporter accepts (reporter options, pytest options, environment). */
export type { ThreepioOptions } from '@threepio/core'

export interface RecorderOptions {
  /** The user's options object, as given (validated here: bad values warn and use defaults). */
  options?: unknown
  /** Further keys the reporter's options object may hold. */
  otherOptionKeys?: readonly string[]
  runner: { name: 'jest' | 'vitest' | 'pytest'; version: string }
  reporter: { name: string; version: string }
  /** Project root: test files are relative to it; `.3pio` goes under it. */
  rootDir: string
  cwd?: string
  argv?: string[]
  /** A round of a watch session (the runner's rerun of some files). */
  watch?: NonNullable<RunStartEvent['watch']>
  /** Test files the runner was given for this run, where it says before they start. */
  files?: number
  /**
   * When to print the closing line: 'deferred' (default) lets the framework's summary go first;
   * 'none' leaves it to the caller (RunRecorder.closingLine).
   */
  closingLine?: 'now' | 'deferred' | 'none'
  /** Install exit and signal hooks (default true). */
  handleExit?: boolean
  /** Where warnings and the closing line go. Default process.stderr. */
  stderr?: (text: string) => void
  /** Where threepio's one warning goes, if not to `stderr`. */
  warn?: (text: string) => void
  /** Seams for simulating disk faults. */
  fs?: { events?: WriterFs; runDir?: RunDirectoryFs }
  /** Environment (default process.env). */
  env?: Record<string, string | undefined>
}

/** A run being recorded. Every method is synchronous and never throws. */
export interface Recorder {
  /** Paths of the run directory. */
  readonly paths: RunPaths
  readonly runId: string
  /** True once the run ended (normally or interrupted). */
  readonly isEnded: boolean
  /** Records one event (stamped with the time now, unless it has a time). */
  emit(event: EventInput): void
  /** Ends the run: run-end, the final logs and summaries, fsync, the closing line. Runs once. */
  end(result: { status: RunStatus; reason?: string }): void
  /** Ends the run as interrupted (exit paths). */
  interrupt(reason: string): void
  /** Registers a function to run (once) just before run-end is written: a reporter's last flush. */
  beforeEnd(fn: () => void): void
  /** Runs a reporter callback's body: what it throws becomes a warning and a diagnostic event. */
  guard(what: string, fn: () => void): void
  /** threepio's own trouble: one warning on stderr per run, a diagnostic event each time. */
  problem(d: WriterDiagnostic): void
}
