/**
 * ThreadRecorder: a {@link Recorder} whose work runs in a worker thread (recorder-worker.ts, which
 * runs a RunRecorder; the hand-over is thread-protocol.ts), for reporters that run
 * in the test runner's own thread (Jest runs small suites in band: every reporter callback is on
 * the critical path of the tests).
 *
 * The runner's thread validates the options and creates the run directory (synchronously, so the
 * reporter knows its paths at once), then only encodes each event (stamped with its time) as a
 * JSON line straight into a ring buffer shared with the worker: no message, no system call and
 * nothing scheduled per event. The worker takes what is new from the ring every few
 * milliseconds and records it exactly as RunRecorder does in process: events.jsonl, the logs and
 * the summaries, on another core.
 *
 * Durability is RunRecorder's: the worker takes events from the ring within RING_POLL_MS
 * whatever the runner's thread is doing (a test blocking it does not hold the write back). At
 * run end and on exit or a signal, the runner's thread waits (Atomics.wait, bounded) until the
 * worker has written run-end, fsync'd and finished the run directory, then prints the worker's
 * warning and the closing line itself, so nothing the worker has to say is lost with the process.
 */
import { Worker } from 'node:worker_threads'
import type { EventInput, RunPaths, RunStatus, WriterDiagnostic } from '@threepio/core'
import { MAX_OUTPUT_CHARS, splitText } from '@threepio/core/output-text'
import {
  interruptedBy,
  onProcessEnd,
  printAfterFramework,
  writeStderr,
  writeStderrNow,
} from './exit-hooks.js'
import { guarded, warningLine, warningText } from '../run-model/notes.js'
import { progName } from '../run-model/prog-name.js'
import { prepareRun } from './prepare.js'
import type { Recorder, RecorderOptions } from './recorder.js'
import { RingWriter } from './ring-writer.js'
import {
  HEADER_BYTES,
  HEADER_STATE,
  HEADER_WORDS,
  RING_POLL_MS,
  WORKER_DONE,
  WORKER_FAILED,
  WORKER_RUNNING,
  type LastWords,
  type RecorderWorkerData,
  type RecorderWorkerNote,
  type RecorderWorkerOp,
} from './thread-protocol.js'

/** Room for the worker's last words (GitHub annotations can be many lines). */
const DONE_BYTES = 1024 * 1024

/** The ring's size: a few seconds of the busiest output, while the worker starts or the disk stalls. */
const RING_BYTES = 4 * 1024 * 1024

/**
 * How long the runner's thread waits for the worker to finish the run directory. Finishing is
 * fast (the worker keeps up during the run); this bounds a disk that hangs.
 */
const END_WAIT_MS = 30_000

/** Read once: in the CommonJS build an imported binding is a getter call on every use. */
const MAX_CHARS = MAX_OUTPUT_CHARS

/**
 * The worker's module, in the format of this build: the CommonJS build (what Jest loads) starts
 * its one-file CommonJS bundle, which a new thread loads in about half the time of the ES module
 * graph, on the core the tests share with it.
 */
const WORKER_FILE = import.meta.url.endsWith('.cjs')
  ? './recorder-worker.cjs'
  : './recorder-worker.js'

export class ThreadRecorder implements Recorder {
  private ended = false
  private failed = false
  private exiting = false
  private warned = false
  private readonly beforeEndHooks: Array<() => void> = []
  private removeExitHook: (() => void) | undefined
  private readonly header: Int32Array
  /** Where emit puts each event's line. */
  private readonly ring: RingWriter
  private readonly stderr: (text: string) => void
  private readonly stderrNow: (text: string) => void

  private constructor(
    /** Paths of the run directory. */
    readonly paths: RunPaths,
    private readonly worker: Worker,
    private readonly done: SharedArrayBuffer,
    ring: SharedArrayBuffer,
    private readonly quiet: boolean,
    options: RecorderOptions,
  ) {
    this.header = new Int32Array(done, 0, HEADER_BYTES / 4)
    this.ring = new RingWriter(
      this.header,
      ring,
      () => this.gaveUp(),
      (m) => this.warn(m),
    )
    this.stderr = options.stderr ?? writeStderr
    this.stderrNow = options.stderr ?? writeStderrNow
  }

  /**
   * Validates the options, creates the run directory and starts the worker that records into it.
   * Returns undefined (after one warning) when the run directory cannot be created or the worker
   * cannot start: the test run goes on without a record.
   */
  static start(options: RecorderOptions): ThreadRecorder | undefined {
    const stderr = options.stderr ?? writeStderr
    const prepared = prepareRun(options)
    if (!prepared) return undefined
    const done = new SharedArrayBuffer(DONE_BYTES)
    const ring = new SharedArrayBuffer(RING_BYTES)
    const { stderr: _s, warn: _w, fs: _f, options: _o, ...rest } = options
    // The worker's own argv and cwd are not the run's.
    const plain = { ...rest, argv: options.argv ?? process.argv, cwd: options.cwd ?? process.cwd() }
    let worker: Worker
    try {
      const data: RecorderWorkerData = { options: plain, prepared, done, ring }
      worker = new Worker(new URL(WORKER_FILE, import.meta.url), {
        workerData: data,
        stdout: true, // the worker never prints: all it has to say comes through messages
        stderr: true,
        // Not the runner's flags: `-e`, `--require` or loader hooks are for the runner's code.
        execArgv: [],
      })
    } catch (err) {
      stderr(warningText(`not recording this run: could not start its thread: ${String(err)}`))
      return undefined
    }
    worker.unref() // never keeps the test runner alive
    const recorder = new ThreadRecorder(
      prepared.paths,
      worker,
      done,
      ring,
      prepared.resolved.quiet,
      options,
    )
    worker.on('message', (note: RecorderWorkerNote) => recorder.print(note))
    worker.on('error', (err) => recorder.lost(`its thread failed: ${String(err)}`))
    // A worker gone before it finished the run directory (terminated, or out of memory), or
    // one that could not start recording (it said why in its last words).
    worker.on('exit', () => {
      if (Atomics.load(recorder.header, HEADER_STATE) === WORKER_RUNNING)
        recorder.lost('its thread stopped before the run ended')
      else recorder.gaveUp()
    })
    if (options.handleExit !== false) {
      recorder.removeExitHook = onProcessEnd((cause) => recorder.interrupt(interruptedBy(cause)))
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

  /**
   * Records one event (stamped with the time now, unless it has a time): in the ring at once.
   * Never throws.
   */
  emit(event: EventInput): void {
    if (this.ended || this.failed) return
    // Long output in parts, as events.jsonl holds it (the ring then never holds one huge line).
    if (event.type === 'output' && event.text.length > MAX_CHARS) {
      for (const text of splitText(event.text)) this.emit({ ...event, text })
      return
    }
    let line: string
    try {
      line = JSON.stringify(event)
    } catch (err) {
      this.problem({
        level: 'error',
        message: `could not encode a ${event.type} event: ${String(err)}`,
      })
      return
    }
    // `{"time":…,` in front rather than a copy of the event with its time.
    this.ring.put(event.time === undefined ? `{"time":${Date.now()},${line.slice(1)}` : line)
  }

  /**
   * Whether the worker is gone. One that could not start recording marks itself failed before
   * it exits: this thread may learn that first here, while it waits for room or for the end.
   */
  private gaveUp(): boolean {
    if (!this.failed && Atomics.load(this.header, HEADER_STATE) === WORKER_FAILED) this.lost()
    return this.failed
  }

  /**
   * The worker is gone: nobody takes events any more, so nothing is held or waited for. Without
   * `why`, it gave up on its own and its last words say why.
   */
  private lost(why?: string): void {
    if (this.failed) return
    const words = why === undefined ? this.lastWords() : undefined
    if (words?.out.length) for (const note of words.out) this.print(note)
    else this.warn(`stopped recording this run: ${why ?? 'its thread failed'}`)
    this.failed = true
    this.ring.clear()
    Atomics.store(this.header, HEADER_STATE, WORKER_FAILED)
  }

  private send(op: RecorderWorkerOp): void {
    try {
      this.worker.postMessage(op)
    } catch (err) {
      this.warn(`could not ask the recording thread to finish: ${String(err)}`)
    }
  }

  /** Registers a function to run (once) just before run-end is written: a reporter's last flush. */
  beforeEnd(fn: () => void): void {
    this.beforeEndHooks.push(fn)
  }

  /**
   * Ends the run: the worker writes run-end, the final logs and summary and fsyncs while this
   * thread waits; then the closing line. Synchronous; never throws; runs once.
   */
  end(result: { status: RunStatus; reason?: string }): void {
    if (this.ended) return
    for (const fn of this.beforeEndHooks.splice(0)) this.guard('a before-end hook', fn)
    this.ended = true
    this.removeExitHook?.()
    this.removeExitHook = undefined
    this.ring.stop()
    const deadline = Date.now() + END_WAIT_MS
    // A full ring: give the worker time to take what it holds (it reads every RING_POLL_MS).
    while (!this.ring.flush() && Date.now() < deadline)
      Atomics.wait(this.header, HEADER_STATE, WORKER_RUNNING, RING_POLL_MS)
    if (this.gaveUp()) return // said when the worker was lost
    this.send({
      op: 'end',
      status: result.status,
      ...(result.reason ? { reason: result.reason } : {}),
    })
    const waited = Atomics.wait(
      this.header,
      HEADER_STATE,
      WORKER_RUNNING,
      Math.max(0, deadline - Date.now()),
    )
    const state = Atomics.load(this.header, HEADER_STATE)
    if (waited === 'timed-out' || state !== WORKER_DONE) {
      this.warn(
        state === WORKER_FAILED
          ? `could not finish the run directory ${this.paths.runDir}; \`${progName(process.env)} report ${this.paths.runDir}\` rebuilds it from events.jsonl`
          : `the run directory ${this.paths.runDir} was not finished within ${END_WAIT_MS / 1000} s; \`${progName(process.env)} report ${this.paths.runDir}\` rebuilds it from events.jsonl`,
      )
      this.failed = true // said: its exit adds nothing
      return
    }
    const words = this.lastWords()
    if (!words) return
    for (const note of words.out) this.print(note)
    if (words.closing === undefined || this.quiet) return
    const line = words.closing + '\n'
    if (this.exiting) this.stderrNow(line)
    else printAfterFramework(line, this.stderr, this.stderrNow)
  }

  /** What the worker left for this thread when it finished or gave up. */
  private lastWords(): LastWords | undefined {
    try {
      const length = Atomics.load(this.header, HEADER_WORDS)
      if (!length) return undefined
      const bytes = new Uint8Array(this.done, HEADER_BYTES, length).slice()
      return JSON.parse(Buffer.from(bytes).toString('utf8')) as LastWords
    } catch {
      return undefined
    }
  }

  /** Ends the run as interrupted (exit paths). */
  interrupt(reason: string): void {
    this.exiting = true // the process may be going: print right away
    this.end({ status: 'interrupted', reason })
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
    this.warn(d.message)
    this.emit({
      type: 'diagnostic',
      level: d.level,
      message: d.message,
      ...(d.code ? { code: d.code } : {}),
    })
  }

  private warn(message: string): void {
    this.print({
      text: warningLine(message, this.paths.summaryMd),
      warning: true,
    })
  }

  /** Text for stderr, from either thread: only the first warning of the run is printed. */
  private print(note: RecorderWorkerNote): void {
    if (note.warning) {
      if (this.warned) return
      this.warned = true
    }
    ;(this.exiting ? this.stderrNow : this.stderr)(note.text)
  }
}
