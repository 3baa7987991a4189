/**
 * The event-log writer: appends events to events.jsonl, one whole line per event.
 *
 * Durability (docs/design.md): an event reaches the kernel before the current task ends (events
 * emitted in one synchronous burst share one write call); the file is fsync'd periodically
 * while dirty; {@link EventLogWriter.closeSync} flushes and fsyncs synchronously for exit paths.
 *
 * The writer never throws into its caller. A write that fails (ENOSPC, EIO, …) keeps the unwritten
 * bytes, retries with backoff, reports a diagnostic, and drops new events — counted, and
 * reported in the log once writing works again — when more than `maxPendingBytes` wait.
 * If the file is deleted while open (the run directory removed mid-run), the writer recreates it
 * with everything written so far.
 */
import * as nodeFs from 'node:fs'
import { dirname } from 'node:path'
import { encodeEvent } from './jsonl.js'
import { MAX_OUTPUT_CHARS, splitText } from './output-text.js'
import type { Event, EventInput } from './schema.js'
import {
  WRITER_DEFAULTS,
  type EventLogWriterOptions,
  type WriterDiagnostic,
  type WriterFs,
  type WriterStats,
} from './writer-options.js'

export * from './writer-options.js'

const errnoCode = (err: unknown): string | undefined =>
  err && typeof err === 'object' && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined

/** Appends events to one events.jsonl. Create it with {@link EventLogWriter.open}. */
export class EventLogWriter {
  /** What was written, dropped and retried. */
  readonly stats: WriterStats = {
    emitted: 0,
    dropped: 0,
    bytesWritten: 0,
    failures: 0,
    recreated: 0,
  }
  private fd: number
  private nextSeq: number
  /** Encoded lines not yet handed to the kernel. */
  private queue: string[] = []
  private queueBytes = 0
  /** Bytes of a write the kernel accepted only in part, or refused: written before `queue`. */
  private carry: Buffer | undefined
  private flushScheduled = false
  private retryTimer: NodeJS.Timeout | undefined
  private retryDelay: number
  private readonly syncTimer: NodeJS.Timeout | undefined
  private dirty = false
  private lastDeletedCheck = 0
  private syncing = false
  private closed = false
  /** Events dropped since the last diagnostic about it. */
  private droppedUnreported = 0
  private readonly warned = new Set<string>()
  private readonly fs: WriterFs
  private readonly opts: Required<
    Pick<EventLogWriterOptions, 'maxPendingBytes' | 'maxOutputChars' | 'retryDelayMs' | 'now'>
  >

  private constructor(
    /** Path of the events.jsonl. */
    readonly path: string,
    fd: number,
    fs: WriterFs,
    private readonly options: EventLogWriterOptions,
  ) {
    this.fd = fd
    this.fs = fs
    this.opts = {
      maxPendingBytes: options.maxPendingBytes ?? WRITER_DEFAULTS.maxPendingBytes,
      maxOutputChars: options.maxOutputChars ?? MAX_OUTPUT_CHARS,
      retryDelayMs: options.retryDelayMs ?? WRITER_DEFAULTS.retryDelayMs,
      now: options.now ?? Date.now,
    }
    this.retryDelay = this.opts.retryDelayMs.initial
    this.nextSeq = options.firstSeq ?? 1
    const interval = options.fsyncIntervalMs ?? WRITER_DEFAULTS.fsyncIntervalMs
    this.syncTimer = setInterval(() => this.tick(), interval)
    this.syncTimer.unref()
  }

  /**
   * Opens (creating or appending to) an events.jsonl. This is setup, so it throws when the file
   * cannot be opened: the caller decides how to report that.
   */
  static open(path: string, options: EventLogWriterOptions = {}): EventLogWriter {
    const fs = options.fs ?? (nodeFs as unknown as WriterFs)
    // a+: appends atomically and can be read back to recreate the file if it is deleted.
    const fd = fs.openSync(path, 'a+')
    return new EventLogWriter(path, fd, fs, options)
  }

  /** seq the next event will get. */
  get seq(): number {
    return this.nextSeq
  }

  /** True once {@link closeSync} or {@link close} ran. */
  get isClosed(): boolean {
    return this.closed
  }

  /** Bytes waiting to be written (in memory). */
  get pendingBytes(): number {
    return this.queueBytes + (this.carry?.length ?? 0)
  }

  /**
   * Appends an event; returns the seq it got, or 0 when it was dropped (closed writer, or the disk
   * refused writes for too long). Never throws.
   */
  emit(input: EventInput): number {
    if (this.closed) return 0
    try {
      if (input.type === 'output' && input.text.length > this.opts.maxOutputChars) {
        let seq = 0
        for (const text of splitText(input.text, this.opts.maxOutputChars)) {
          seq = this.append({ ...input, text })
        }
        return seq
      }
      return this.append(input)
    } catch (err) {
      this.report({
        level: 'error',
        message: `could not encode a ${input.type} event: ${String(err)}`,
      })
      return 0
    }
  }

  private append(input: EventInput): number {
    // A large synchronous burst is written as it goes rather than held until the microtask.
    if (
      this.queueBytes > Math.min(WRITER_DEFAULTS.flushAtBytes, this.opts.maxPendingBytes / 2) &&
      !this.retryTimer
    ) {
      this.flush()
    }
    if (this.pendingBytes > this.opts.maxPendingBytes) {
      this.stats.dropped++
      this.droppedUnreported++
      return 0
    }
    const seq = this.nextSeq++
    // `type, seq, time` first on the line, for people reading it.
    const { type, time, ...rest } = input
    const event = { type, seq, time: time ?? this.opts.now(), ...rest } as Event
    const line = encodeEvent(event)
    this.queue.push(line)
    this.queueBytes += line.length
    this.stats.emitted++
    if (this.options.onEvent) {
      try {
        this.options.onEvent(event)
      } catch (err) {
        this.report({
          level: 'error',
          message: `onEvent failed for a ${event.type} event: ${String(err)}`,
        })
      }
    }
    if (!this.flushScheduled && !this.retryTimer) {
      this.flushScheduled = true
      queueMicrotask(() => {
        this.flushScheduled = false
        this.flush()
      })
    }
    return seq
  }

  /** Hands everything pending to the kernel now (synchronously). Never throws. */
  flush(): boolean {
    if (this.closed && this.fd < 0) return false
    // A deleted run directory is noticed within WRITER_DEFAULTS.deletedCheckMs of a write, not only on tick.
    if (!this.closed && this.opts.now() - this.lastDeletedCheck >= WRITER_DEFAULTS.deletedCheckMs)
      this.checkDeleted()
    if (this.droppedUnreported > 0 && this.carry === undefined && this.queue.length === 0) {
      // Writing works again: say in the log itself what was lost.
      const n = this.droppedUnreported
      this.droppedUnreported = 0
      this.append({
        type: 'diagnostic',
        level: 'error',
        message: `threepio dropped ${n} event(s) while the disk refused writes; the run's record is incomplete.`,
        code: 'EVENTS_DROPPED',
      })
    }
    while (this.carry !== undefined || this.queue.length > 0) {
      if (this.carry === undefined) {
        this.carry = Buffer.from(this.queue.join(''), 'utf8')
        this.queue = []
        this.queueBytes = 0
      }
      try {
        const n = this.fs.writeSync(this.fd, this.carry, 0, this.carry.length)
        this.stats.bytesWritten += n
        this.dirty = true
        this.carry = n >= this.carry.length ? undefined : this.carry.subarray(n)
        this.retryDelay = this.opts.retryDelayMs.initial
      } catch (err) {
        this.stats.failures++
        this.onWriteError(err)
        return false
      }
    }
    return true
  }

  private onWriteError(err: unknown): void {
    const code = errnoCode(err) ?? 'EUNKNOWN'
    this.report({
      level: 'warn',
      code,
      message: `could not write ${this.path} (${code}): ${String((err as Error)?.message ?? err)}. Events are kept in memory (up to ${Math.round(this.opts.maxPendingBytes / 1048576)} MiB) and retried; free disk space or fix permissions.`,
    })
    if (this.closed || this.retryTimer) return
    const delay = this.retryDelay
    this.retryDelay = Math.min(this.retryDelay * 2, this.opts.retryDelayMs.max)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.flush()
    }, delay)
    this.retryTimer.unref()
  }

  /** Periodic work: fsync while dirty, and notice a deleted file. */
  private tick(): void {
    if (this.closed) return
    this.checkDeleted()
    if (!this.dirty || this.syncing) return
    this.dirty = false
    this.syncing = true
    this.fs.fsync(this.fd, (err) => {
      this.syncing = false
      // Closed meanwhile: closeSync fsync'd the file itself, and the fd is gone (EBADF).
      if (err && this.closed) return
      if (err) {
        this.stats.failures++
        this.dirty = true
        this.report({
          level: 'warn',
          code: errnoCode(err),
          message: `fsync of ${this.path} failed: ${err.message}`,
        })
      }
    })
  }

  /**
   * If events.jsonl was unlinked (its run directory deleted), writes would go to a file nobody can
   * see: recreate it, copy what was written, and carry on in the new file.
   */
  checkDeleted(): void {
    if (this.closed || this.fd < 0) return
    this.lastDeletedCheck = this.opts.now()
    try {
      if (this.fs.fstatSync(this.fd).nlink > 0) return
    } catch {
      return
    }
    try {
      this.fs.mkdirSync(dirname(this.path), { recursive: true })
      const fd = this.fs.openSync(this.path, 'a+')
      const size = this.fs.fstatSync(this.fd).size
      const buf = Buffer.allocUnsafe(64 * 1024)
      for (let pos = 0; pos < size;) {
        const n = this.fs.readSync(this.fd, buf, 0, buf.length, pos)
        if (n <= 0) break
        for (let off = 0; off < n;) off += this.fs.writeSync(fd, buf, off, n - off)
        pos += n
      }
      this.fs.closeSync(this.fd)
      this.fd = fd
      this.stats.recreated++
      this.report({
        level: 'warn',
        code: 'ENOENT',
        message: `${this.path} was deleted during the run; recreated it with the ${this.nextSeq - 1} events written so far.`,
      })
      this.emitDiagnosticEvent(
        'warn',
        `events.jsonl was deleted during the run and recreated.`,
        'ENOENT',
      )
    } catch (err) {
      this.report({
        level: 'warn',
        code: errnoCode(err),
        message: `${this.path} was deleted during the run and could not be recreated: ${String(err)}`,
      })
    }
  }

  private emitDiagnosticEvent(level: 'warn' | 'error', message: string, code?: string): void {
    this.append({ type: 'diagnostic', level, message, ...(code ? { code } : {}) })
  }

  /**
   * Flushes, fsyncs and closes synchronously: for exit paths (signal handlers, process 'exit').
   * Makes one write attempt; what the disk still refuses is reported and lost. Never throws.
   */
  closeSync(): void {
    if (this.closed) return
    this.closed = true
    this.stopTimers()
    this.checkDeletedOnClose()
    // A disk that refused writes a moment ago may take them now: a few tries, at once.
    for (let i = 0; !this.flush() && i < WRITER_DEFAULTS.closeRetries; i++);
    if (this.pendingBytes > 0) {
      this.report({
        level: 'error',
        message: `${this.pendingBytes} bytes of events could not be written to ${this.path} before exit.`,
      })
    }
    try {
      this.fs.fsyncSync(this.fd)
    } catch (err) {
      this.report({
        level: 'warn',
        code: errnoCode(err),
        message: `fsync of ${this.path} failed: ${String(err)}`,
      })
    }
    try {
      this.fs.closeSync(this.fd)
    } catch {
      // already closed: nothing left to lose
    }
    this.fd = -1
  }

  /** Like {@link closeSync}, but first gives a refusing disk a last, bounded chance (`graceMs`). */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return
    const deadline = this.opts.now() + graceMs
    while (!this.flush() && this.opts.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(this.retryDelay, 200)))
    }
    this.closeSync()
  }

  private checkDeletedOnClose(): void {
    this.closed = false // checkDeleted is a no-op on a closed writer
    this.checkDeleted()
    this.closed = true
  }

  private stopTimers(): void {
    if (this.syncTimer) clearInterval(this.syncTimer)
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = undefined
  }

  private report(diagnostic: WriterDiagnostic): void {
    const key = `${diagnostic.level}:${diagnostic.code ?? diagnostic.message}`
    if (this.warned.has(key)) return
    this.warned.add(key)
    try {
      this.options.onDiagnostic?.(diagnostic)
    } catch {
      // a diagnostic sink must not break the writer
    }
  }
}
