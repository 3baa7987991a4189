/**
 * The event log writer's options, its seams and its defaults. The defaults are shared facts: the
 * Python plugin's writer reads them from `_shared.json` (see shared-facts.ts).
 */
import type { Event } from './schema.js'

/** How the writer behaves when no option says otherwise. */
export const WRITER_DEFAULTS = {
  /** fsync at most this often while there are unsynced writes. */
  fsyncIntervalMs: 1000,
  /** Bytes kept for retry while the disk refuses writes; newer events are dropped beyond. */
  maxPendingBytes: 8 * 1024 * 1024,
  /** First and longest delay between retries of a failed write (doubling in between). */
  retryDelayMs: { initial: 50, max: 5000 },
  /** How often writes check that events.jsonl still exists (one fstat). */
  deletedCheckMs: 100,
  /** Queued bytes that trigger a write without waiting for the end of the task. */
  flushAtBytes: 1024 * 1024,
  /** Writes tried at once when closing while the disk refuses them (no wait: it never slows the run). */
  closeRetries: 5,
} as const

/** The file-system calls the writer makes: a seam for simulating a full or failing disk. */
export interface WriterFs {
  openSync: (path: string, flags: string, mode?: number) => number
  writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => number
  readSync: (
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ) => number
  fsyncSync: (fd: number) => void
  fsync: (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => void
  fstatSync: (fd: number) => { nlink: number; size: number }
  closeSync: (fd: number) => void
  mkdirSync: (path: string, options: { recursive: true }) => unknown
}

/** A problem of the writer's own, for the caller to warn about. */
export interface WriterDiagnostic {
  level: 'warn' | 'error'
  message: string
  /** errno name when the cause was a system call, e.g. ENOSPC. */
  code?: string
}

export interface EventLogWriterOptions {
  /** File-system seam; defaults to node:fs. */
  fs?: WriterFs
  /** fsync at most this often while there are unsynced writes. Default {@link WRITER_DEFAULTS}. */
  fsyncIntervalMs?: number
  /** Bytes kept for retry while the disk refuses writes; newer events are dropped beyond. Default {@link WRITER_DEFAULTS}. */
  maxPendingBytes?: number
  /** `output` text longer than this (in UTF-16 units) is split over several events. Default 256 Ki. */
  maxOutputChars?: number
  /** First and longest delay between retries of a failed write. Default {@link WRITER_DEFAULTS}. */
  retryDelayMs?: { initial: number; max: number }
  /** Called for each problem of the writer's own (never throws; exceptions in it are ignored). */
  onDiagnostic?: (diagnostic: WriterDiagnostic) => void
  /**
   * Called with every event the writer accepts, stamped with its seq and time, including the
   * writer's own diagnostics and each part of split output: what events.jsonl will hold.
   */
  onEvent?: (event: Event) => void
  /** seq of the first event written. Default 1. */
  firstSeq?: number
  /** Clock, for tests. */
  now?: () => number
}

/** Counters of what the writer did. */
export interface WriterStats {
  /** Events accepted and handed to the kernel (or waiting for retry). */
  emitted: number
  /** Events dropped because the disk refused writes for too long. */
  dropped: number
  /** Bytes handed to the kernel. */
  bytesWritten: number
  /** Write or fsync calls that failed. */
  failures: number
  /** Times the file was recreated after being deleted. */
  recreated: number
}
