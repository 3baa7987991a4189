/**
 * JSON Lines encoding and decoding of events.
 *
 * The decoder never throws on bad input. Each line that cannot be used — invalid UTF-8, invalid
 * JSON, not an event, an unknown event type, longer than the bound, or a last line cut short —
 * is skipped and counted in {@link DecodeStats}, and decoding goes on with the next line.
 */
import { isUtf8 } from 'node:buffer'
import { closeSync, openSync, readSync } from 'node:fs'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { EVENT_TYPES, Event, type EventType } from './schema.js'

/** Default bound on one line: longer lines are skipped without being held in memory. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024

/** What the decoder skipped, by reason. */
export interface DecodeStats {
  /** Events decoded. */
  events: number
  /** Lines that were not valid UTF-8. */
  invalidUtf8: number
  /** Lines that were not valid JSON. */
  invalidJson: number
  /** JSON values that are not an event of a known type (wrong shape or field types). */
  invalidEvent: number
  /** Events of a type this version does not know (skipped, as the schema asks). */
  unknownType: number
  /** Lines longer than the bound. */
  tooLong: number
  /** A last line without its newline when the input ended (a writer killed mid-line). */
  truncated: number
}

/** Total of the lines skipped, whatever the reason. */
export function skippedLines(stats: DecodeStats): number {
  return (
    stats.invalidUtf8 +
    stats.invalidJson +
    stats.invalidEvent +
    stats.unknownType +
    stats.tooLong +
    stats.truncated
  )
}

export function emptyDecodeStats(): DecodeStats {
  return {
    events: 0,
    invalidUtf8: 0,
    invalidJson: 0,
    invalidEvent: 0,
    unknownType: 0,
    tooLong: 0,
    truncated: 0,
  }
}

// Compiled on first use: reporters that only write events never pay for it.
let compiled: ReturnType<typeof TypeCompiler.Compile<typeof Event>> | undefined
const checkEvent = {
  Check: (value: unknown): value is Event =>
    (compiled ??= TypeCompiler.Compile(Event)).Check(value),
}
const knownTypes: ReadonlySet<string> = new Set(EVENT_TYPES)

/** True when `value` is a well-formed event of a known type. */
export function isEvent(value: unknown): value is Event {
  return checkEvent.Check(value)
}

/**
 * Serialises an event as one line (with its newline). Values that JSON cannot carry
 * (BigInt, cycles) degrade to strings instead of failing.
 */
export function encodeEvent(event: Event): string {
  try {
    return JSON.stringify(event) + '\n'
  } catch {
    return JSON.stringify(event, safeReplacer()) + '\n'
  }
}

function safeReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>()
  return (_key, value) => {
    if (typeof value === 'bigint') return value.toString()
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]'
      seen.add(value)
    }
    return value
  }
}

/** Classifies one line (without its newline). */
function classify(line: Uint8Array, stats: DecodeStats): Event | undefined {
  if (!isUtf8(line)) {
    stats.invalidUtf8++
    return undefined
  }
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString('utf8'))
  } catch {
    stats.invalidJson++
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    stats.invalidEvent++
    return undefined
  }
  const type = (value as { type?: unknown }).type
  if (typeof type === 'string' && !knownTypes.has(type)) {
    stats.unknownType++
    return undefined
  }
  if (!checkEvent.Check(value)) {
    stats.invalidEvent++
    return undefined
  }
  stats.events++
  return value
}

/** One decoded event and the byte offset just past its line. */
export interface DecodedEvent {
  event: Event
  /** Offset, in bytes from the start of the input, just after this event's newline. */
  end: number
}

/**
 * Incremental decoder: push chunks as they arrive, take the events of the lines they complete.
 * Memory is bounded by `maxLineBytes`: a longer line is dropped as it streams past.
 */
export class EventDecoder {
  /** What was decoded and skipped so far. */
  readonly stats: DecodeStats = emptyDecodeStats()
  private readonly maxLineBytes: number
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** Inside an over-long line: skip until its newline. */
  private skipping = false
  /** Bytes consumed so far (offset of the next byte pushed). */
  private offset: number

  constructor(options: { maxLineBytes?: number; startOffset?: number } = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    this.offset = options.startOffset ?? 0
    this.lastLineEnd = this.offset
  }

  /** Bytes held for a line not yet complete. */
  get bufferedBytes(): number {
    return this.pendingBytes
  }

  /** Offset just past the last complete line (where a reader could resume). */
  get committedOffset(): number {
    return this.lastLineEnd
  }
  private lastLineEnd: number

  /** Feeds bytes; returns the events of every line they complete. */
  push(chunk: Uint8Array): DecodedEvent[] {
    const out: DecodedEvent[] = []
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let start = 0
    while (start < buf.length) {
      const nl = buf.indexOf(10, start)
      if (nl === -1) {
        this.hold(buf.subarray(start))
        break
      }
      const piece = buf.subarray(start, nl)
      const lineEnd = this.offset + nl + 1
      this.lastLineEnd = lineEnd
      if (this.skipping) {
        this.skipping = false
      } else if (this.pendingBytes + piece.length > this.maxLineBytes) {
        this.stats.tooLong++
        this.clearPending()
      } else {
        const line = this.pendingBytes === 0 ? piece : Buffer.concat([...this.pending, piece])
        this.clearPending()
        const trimmed =
          line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, -1) : line
        if (trimmed.length > 0) {
          const event = classify(trimmed, this.stats)
          if (event) out.push({ event, end: lineEnd })
        }
      }
      start = nl + 1
    }
    this.offset += buf.length
    return out
  }

  /** Ends the input: a last line without its newline is counted as truncated and dropped. */
  end(): void {
    // An over-long last line was already counted as tooLong.
    if (this.pendingBytes > 0) this.stats.truncated++
    this.clearPending()
    this.skipping = false
  }

  private hold(rest: Buffer): void {
    if (this.skipping) return
    if (this.pendingBytes + rest.length > this.maxLineBytes) {
      this.stats.tooLong++
      this.clearPending()
      this.skipping = true
      return
    }
    // Copy: the caller may reuse its read buffer.
    this.pending.push(Buffer.from(rest))
    this.pendingBytes += rest.length
  }

  private clearPending(): void {
    this.pending = []
    this.pendingBytes = 0
  }
}

/** Decodes a whole events.jsonl held in memory. */
export function decodeEvents(input: Uint8Array | string): { events: Event[]; stats: DecodeStats } {
  const decoder = new EventDecoder()
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input
  const events = decoder.push(bytes).map((d) => d.event)
  decoder.end()
  return { events, stats: decoder.stats }
}

/** Narrows an event to one type. */
export function isEventOf<T extends EventType>(
  event: Event,
  type: T,
): event is Extract<Event, { type: T }> {
  return event.type === type
}

/** Reads an events.jsonl from start to end, handing each event on; what it skipped. */
export function readEventsFile(path: string, onEvent: (event: Event) => void): DecodeStats {
  const decoder = new EventDecoder()
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(256 * 1024)
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null)
      if (n <= 0) break
      for (const { event } of decoder.push(buf.subarray(0, n))) onEvent(event)
    }
  } finally {
    closeSync(fd)
  }
  decoder.end()
  return decoder.stats
}
