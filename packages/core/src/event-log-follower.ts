/**
 * The event-log follower: reads an events.jsonl that another process is appending to.
 *
 * It is an async iterator with natural backpressure: it reads the next chunk only when the
 * consumer asks for the next event, so it never buffers more than one chunk and never drops or
 * times out an event. A partial trailing line waits until its newline arrives. When the writer is
 * done ({@link EventLogFollower.finish}), it reads to the end of the file and then stops.
 */
import { watch, type FSWatcher } from 'node:fs'
import { open, stat, type FileHandle } from 'node:fs/promises'
import { EventDecoder, type DecodeStats } from './jsonl.js'
import type { Event } from './schema.js'

export interface FollowOptions {
  /** Byte offset to start reading at (the end of a line). Default 0. */
  offset?: number
  /** How often to look for new data when no change notification arrives. Default 100 ms. */
  pollIntervalMs?: number
  /**
   * Ask the OS for change notifications (fs.watch) besides polling. Default true. A watch makes
   * every append of the writer raise an event for this process: a writer that appends once per
   * test pays for that on each append, so a follower of such a writer polls instead.
   */
  watch?: boolean
  /** Read size. Default 64 KiB. */
  chunkBytes?: number
  /** Longest line accepted; see {@link EventDecoder}. */
  maxLineBytes?: number
  /**
   * Once caught up, wait at least this long before reading again, so that a writer making many
   * small writes wakes the follower once per batch rather than once per write. Default 0.
   */
  coalesceMs?: number
}

/**
 * Follows one events.jsonl. Iterate it with `for await`; call {@link finish} when the writer is
 * known to be done (it then stops at the end of the file) or {@link close} to stop at once.
 */
export class EventLogFollower implements AsyncIterable<Event> {
  private readonly decoder: EventDecoder
  private position: number
  private finishing = false
  private closed = false
  private wake: (() => void) | undefined
  private changed = false
  private watcher: FSWatcher | undefined
  private iterating = false

  constructor(
    /** Path of the events.jsonl followed. */
    readonly path: string,
    private readonly options: FollowOptions = {},
  ) {
    this.position = options.offset ?? 0
    this.decoder = new EventDecoder({
      startOffset: this.position,
      ...(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {}),
    })
  }

  /** What was decoded and skipped so far. */
  get stats(): DecodeStats {
    return this.decoder.stats
  }

  /** Offset just past the last event handed to the consumer: where to resume. */
  get offset(): number {
    return this.position
  }

  /** The writer is done: read what is left up to the end of the file, then stop. */
  finish(): void {
    this.finishing = true
    this.poke()
  }

  /** Stop now, whatever is left unread. */
  close(): void {
    this.closed = true
    this.poke()
  }

  [Symbol.asyncIterator](): AsyncIterator<Event> {
    if (this.iterating) throw new Error('EventLogFollower can be iterated only once')
    this.iterating = true
    return this.events()
  }

  private poke(): void {
    this.changed = true
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private async *events(): AsyncGenerator<Event> {
    const buf = Buffer.allocUnsafe(this.options.chunkBytes ?? 64 * 1024)
    let readAt = this.position
    let fh: FileHandle | undefined
    try {
      while (!this.closed) {
        // Decide before reading: a finish() that came earlier means this read sees all there is.
        const lastLook = this.finishing
        this.changed = false
        if (!fh) {
          fh = await open(this.path, 'r').catch(() => undefined)
          if (fh) this.startWatching()
        }
        const bytesRead = fh ? (await fh.read(buf, 0, buf.length, readAt)).bytesRead : 0
        if (bytesRead > 0) {
          readAt += bytesRead
          for (const { event, end } of this.decoder.push(buf.subarray(0, bytesRead))) {
            if (this.closed) return
            this.position = end
            yield event
          }
          continue
        }
        if (fh && (await replaced(this.path, fh))) {
          // The file was deleted and recreated with the same beginning (EventLogWriter does
          // that when its run directory is deleted): go on reading the new one at this offset.
          await fh.close().catch(() => undefined)
          this.watcher?.close()
          this.watcher = undefined
          fh = undefined
          continue
        }
        if (lastLook) {
          this.decoder.end()
          return
        }
        await this.waitForChange()
        if (this.options.coalesceMs && !this.finishing && !this.closed) {
          await new Promise((r) => setTimeout(r, this.options.coalesceMs))
        }
      }
    } finally {
      this.watcher?.close()
      this.watcher = undefined
      await fh?.close().catch(() => undefined)
    }
  }

  private startWatching(): void {
    if (this.options.watch === false) return
    try {
      this.watcher = watch(this.path, { persistent: false }, () => this.poke())
      this.watcher.on('error', () => {
        this.watcher?.close()
        this.watcher = undefined
      })
    } catch {
      // no change notifications here: polling alone finds new data
    }
  }

  private waitForChange(): Promise<void> {
    if (this.changed || this.closed || this.finishing) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined
        resolve()
      }, this.options.pollIntervalMs ?? 100)
      this.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}

/** Whether `path` now names another file than the one `fh` has open. */
async function replaced(path: string, fh: FileHandle): Promise<boolean> {
  const [open, now] = await Promise.all([fh.stat(), stat(path).catch(() => undefined)])
  return now !== undefined && (now.ino !== open.ino || now.dev !== open.dev)
}
