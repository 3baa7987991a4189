/**
 * The hand-over between {@link ThreadRecorder} (the runner's thread) and recorder-worker.ts: the
 * worker's start data, the shared header and ring, and the worker's last words.
 */
import type { RunStatus } from '@threepio/core'
import type { PreparedRun } from './prepare.js'
import type { RecorderOptions } from './recorder.js'

/** What the runner's thread asks of the worker besides recording the ring's events: the end. */
export interface RecorderWorkerOp {
  op: 'end'
  status: RunStatus
  reason?: string
}

/** The worker's start data. */
export interface RecorderWorkerData {
  options: Omit<RecorderOptions, 'stderr' | 'warn' | 'fs' | 'options'>
  prepared: PreparedRun
  /** Header (see the `HEADER_` indexes) and the worker's last words, as UTF-8 JSON: {@link LastWords}. */
  done: SharedArrayBuffer
  /** The events, as JSON lines, between the header's write and read positions. */
  ring: SharedArrayBuffer
}

/** What the worker leaves when the run directory is finished. */
export interface LastWords {
  /** The closing line (without newline), unless quiet or not recording. */
  closing?: string
  /** Text for stderr not yet handed over (warning, GitHub annotations), in order. */
  out: RecorderWorkerNote[]
}

/** A line for stderr, posted by the worker while the run goes. */
export interface RecorderWorkerNote {
  text: string
  warning: boolean
}

/** Indexes in the shared header (Int32): the worker's state, the length of its last words, ring positions. */
export const HEADER_STATE = 0
export const HEADER_WORDS = 1
/** Where the runner's thread writes next in the ring (it owns it). */
export const HEADER_WRITE = 2
/** Where the worker reads next in the ring (it owns it). */
export const HEADER_READ = 3
/** Bytes the header takes before the last words. */
export const HEADER_BYTES = 16

/** State of the shared header: the worker finished the run directory (or failed to). */
export const WORKER_RUNNING = 0
export const WORKER_DONE = 1
export const WORKER_FAILED = 2

/**
 * How often the worker takes new events from the ring: well within the 50 ms in which an event
 * reaches the kernel, and seldom enough that waking the thread costs little (a wake-up takes
 * about 0.1 ms of CPU on a small VM: every 5 ms, that was 3 % of a core beside the tests).
 */
export const RING_POLL_MS = 20
