/**
 * The runner's side of the ring {@link ThreadRecorder} shares with its worker: each event's JSON
 * line encoded straight into shared memory, with no message, system call or scheduled task per
 * event. The protocol is in docs/design.md ("How each runner hands over events") and
 * thread-protocol.ts: this side owns HEADER_WRITE, the worker owns HEADER_READ, and a line is
 * the worker's once HEADER_WRITE has moved past its newline.
 */
import { HEADER_READ, HEADER_WRITE, RING_POLL_MS } from './thread-protocol.js'

/** Encoded events held in this thread while the ring is full: beyond, it waits for the worker. */
const MAX_HELD_BYTES = 8 * 1024 * 1024

/** How long this thread waits for a worker that takes nothing before it drops events. */
const STALL_MS = 5000

export class RingWriter {
  private readonly encoder = new TextEncoder()
  /** JSON lines not yet in the ring: new ones as text, then encoded, not yet copied. */
  private held = ''
  private heldBytes: Buffer[] = []
  private heldLength = 0
  /** The ring ends inside a line: the rest of it starts heldBytes. */
  private midLine = false
  private retry: NodeJS.Timeout | undefined
  /** Events dropped while the ring and {@link MAX_HELD_BYTES} were full, not yet reported. */
  private dropped = 0
  private write = 0
  private readonly ringBytes: Buffer

  constructor(
    private readonly header: Int32Array,
    ring: SharedArrayBuffer,
    /** Whether the worker is gone (then nothing is held or waited for). */
    private readonly gaveUp: () => boolean,
    /** The run's one warning. */
    private readonly warn: (message: string) => void,
  ) {
    this.ringBytes = Buffer.from(ring)
  }

  /**
   * Puts one line in the ring, encoded straight into it: nothing to schedule, no message, no
   * system call. Only when the ring has no room for it in one piece is it held and copied in
   * parts, now or shortly.
   */
  put(line: string): void {
    if (!this.held && !this.heldLength) {
      const size = this.ringBytes.length
      const free = (Atomics.load(this.header, HEADER_READ) - this.write - 1 + size) % size
      const room = Math.min(free, size - this.write)
      // The common case: room for the longest encoding (3 bytes a UTF-16 unit) and the newline
      // before the ring's end, so one call writes it all and nothing is allocated.
      if (line.length * 3 < room) {
        const n = this.ringBytes.write(line, this.write)
        this.ringBytes[this.write + n] = 0x0a
        this.write = (this.write + n + 1) % size
        Atomics.store(this.header, HEADER_WRITE, this.write)
        return
      }
      const { read, written } = this.encoder.encodeInto(
        line + '\n',
        this.ringBytes.subarray(this.write, this.write + room),
      )
      if (read === line.length + 1) {
        this.write = (this.write + written) % size
        Atomics.store(this.header, HEADER_WRITE, this.write)
        return
      }
    }
    this.held += line + '\n'
    // In bigger pieces while the worker is behind: each try encodes what was held.
    if (!this.retry || this.held.length > 256 * 1024) this.flush()
  }

  /**
   * Copies the held lines into the ring, as much as it has room for (the worker takes whole
   * lines only). While the worker is behind (starting, or a slow disk), the rest is kept and
   * tried again shortly; beyond MAX_HELD_BYTES this thread waits for the worker to make room,
   * as a write to a slow disk would have made it wait, and drops (and counts) what still does
   * not fit after {@link STALL_MS}. Returns true when nothing is left held.
   */
  flush(): boolean {
    if (this.gaveUp()) return true
    if (this.dropped) {
      const n = this.dropped
      this.dropped = 0
      // One fact, said twice: in the record (as the event writer says its own drops) and on stderr.
      const what = `dropped ${n} event(s) while its recording thread took nothing for ${STALL_MS / 1000} s (a disk that does not answer?); the run's record is incomplete`
      this.held += `${JSON.stringify({ type: 'diagnostic', time: Date.now(), level: 'error', code: 'EVENTS_DROPPED', message: `threepio ${what}.` })}\n`
      this.warn(what)
    }
    if (this.held) {
      const bytes = Buffer.from(this.held, 'utf8')
      this.held = ''
      this.heldBytes.push(bytes)
      this.heldLength += bytes.length
    }
    this.copy()
    if (this.heldLength > MAX_HELD_BYTES) {
      const until = Date.now() + STALL_MS
      while (this.heldLength > MAX_HELD_BYTES && Date.now() < until) {
        Atomics.wait(this.header, HEADER_READ, Atomics.load(this.header, HEADER_READ), 50)
        if (this.gaveUp()) return true
        this.copy()
      }
      if (this.heldLength > MAX_HELD_BYTES) this.dropHeld()
    }
    if (!this.heldLength) return true
    if (!this.retry) {
      this.retry = setTimeout(() => {
        this.retry = undefined
        this.flush()
      }, RING_POLL_MS * 2)
      this.retry.unref()
    }
    return false
  }

  /** Copies as much of the held bytes as the ring has room for. */
  private copy(): void {
    const size = this.ringBytes.length
    while (this.heldBytes.length) {
      const bytes = this.heldBytes[0]!
      const n = Math.min(
        bytes.length,
        (Atomics.load(this.header, HEADER_READ) - this.write - 1 + size) % size,
      )
      if (n <= 0) return
      const first = Math.min(n, size - this.write)
      this.ringBytes.set(bytes.subarray(0, first), this.write)
      if (first < n) this.ringBytes.set(bytes.subarray(first, n), 0)
      this.write = (this.write + n) % size
      Atomics.store(this.header, HEADER_WRITE, this.write)
      this.midLine = bytes[n - 1] !== 10
      this.heldLength -= n
      if (n < bytes.length) this.heldBytes[0] = bytes.subarray(n)
      else this.heldBytes.shift()
    }
  }

  /** The worker is gone: nothing is held any more. */
  clear(): void {
    this.held = ''
    this.heldBytes = []
    this.heldLength = 0
  }

  /** No more tries later: the end flushes what is left itself. */
  stop(): void {
    clearTimeout(this.retry)
  }

  /** The worker is stuck: drops what it has not begun to take (counted), keeping lines whole. */
  private dropHeld(): void {
    const first = this.heldBytes[0]
    const keep = first && this.midLine ? first.subarray(0, first.indexOf(10) + 1) : undefined
    let lines = 0
    for (const chunk of this.heldBytes) for (const b of chunk) if (b === 10) lines++
    this.dropped += lines - (keep ? 1 : 0)
    this.heldBytes = keep ? [keep] : []
    this.heldLength = keep?.length ?? 0
  }
}
