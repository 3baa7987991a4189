import * as fs from 'node:fs'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EventLogWriter, type WriterDiagnostic, type WriterFs } from './event-log-writer.js'
import { splitText } from './output-text.js'
import { decodeEvents } from './jsonl.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'threepio-writer-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** node:fs with a switch that makes writes fail like a full disk or a failing device. */
function faultyFs(): WriterFs & {
  fail: string | undefined
  partial: boolean
  failed: number
  failures(n: number): Promise<void>
} {
  let waiter: { n: number; resolve: () => void } | undefined
  const seam = {
    fail: undefined as string | undefined,
    partial: false,
    /** Writes refused so far. */
    failed: 0,
    /** Resolves once `n` writes have been refused. */
    failures(n: number): Promise<void> {
      return seam.failed >= n
        ? Promise.resolve()
        : new Promise((resolve) => (waiter = { n, resolve }))
    },
    ...(fs as unknown as WriterFs),
    writeSync(fd: number, buf: Uint8Array, off: number, len: number): number {
      if (seam.partial && len > 10) {
        seam.partial = false
        return fs.writeSync(fd, buf, off, 10) // the kernel took only part of it
      }
      if (seam.fail) {
        seam.failed++
        if (waiter && seam.failed >= waiter.n) waiter.resolve()
        throw Object.assign(new Error(`${seam.fail}: simulated`), { code: seam.fail })
      }
      return fs.writeSync(fd, buf, off, len)
    },
  }
  return seam
}

const fileStart = (file: string) => ({ type: 'file-start' as const, file })
const nextTask = () => new Promise((r) => setImmediate(r))

describe('EventLogWriter', () => {
  it('assigns seq and time and writes one whole line per event', async () => {
    const path = join(tempDir(), 'events.jsonl')
    const writer = EventLogWriter.open(path, { now: () => 42 })
    expect(writer.emit(fileStart('a'))).toBe(1)
    expect(writer.emit({ ...fileStart('b'), time: 7 })).toBe(2)
    await nextTask()
    // Written before closing: the kernel has it.
    const { events, stats } = decodeEvents(readFileSync(path))
    expect(events).toEqual([
      { type: 'file-start', seq: 1, time: 42, file: 'a' },
      { type: 'file-start', seq: 2, time: 7, file: 'b' },
    ])
    expect(stats.truncated).toBe(0)
    writer.closeSync()
    expect(writer.emit(fileStart('late'))).toBe(0)
  })

  it('hands a burst of events to the kernel in one write before the next task', async () => {
    const seam = faultyFs()
    let writes = 0
    const write = seam.writeSync
    seam.writeSync = (...args) => (writes++, write(...args))
    const path = join(tempDir(), 'events.jsonl')
    const writer = EventLogWriter.open(path, { fs: seam })
    for (let i = 0; i < 100; i++) writer.emit(fileStart(`f${i}`))
    expect(writes).toBe(0)
    await Promise.resolve()
    expect(writes).toBe(1)
    expect(decodeEvents(readFileSync(path)).events).toHaveLength(100)
    writer.closeSync()
  })

  it('splits huge output into several whole lines', () => {
    const path = join(tempDir(), 'events.jsonl')
    const writer = EventLogWriter.open(path, { maxOutputChars: 1000 })
    const text = 'x'.repeat(999) + '😀' + 'y'.repeat(2500)
    writer.emit({ type: 'output', stream: 'stdout', text })
    writer.closeSync()
    const { events } = decodeEvents(readFileSync(path))
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(events.map((e) => (e.type === 'output' ? e.text : '')).join('')).toBe(text)
    expect(splitText('ab😀', 3)).toEqual(['ab', '😀'])
  })

  it('keeps events through ENOSPC, retries, and writes them in order when space returns', async () => {
    const seam = faultyFs()
    const diagnostics: WriterDiagnostic[] = []
    const path = join(tempDir(), 'events.jsonl')
    const writer = EventLogWriter.open(path, {
      fs: seam,
      onDiagnostic: (d) => diagnostics.push(d),
      retryDelayMs: { initial: 1, max: 5 },
    })
    writer.emit(fileStart('before'))
    await nextTask()
    seam.fail = 'ENOSPC'
    seam.partial = true // the first failing write is cut short mid-line
    for (let i = 0; i < 50; i++) writer.emit(fileStart(`during-${i}`))
    await seam.failures(4) // the first attempt and three retries with backoff
    expect(writer.pendingBytes).toBeGreaterThan(0)
    expect(diagnostics.filter((d) => d.code === 'ENOSPC')).toHaveLength(1) // warned once
    seam.fail = undefined
    await writer.close()
    const { events, stats } = decodeEvents(readFileSync(path))
    expect(stats).toMatchObject({ invalidJson: 0, truncated: 0 })
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1))
  })

  it('loses nothing from a synchronous burst larger than the retry buffer', () => {
    const path = join(tempDir(), 'events.jsonl')
    const writer = EventLogWriter.open(path, { maxPendingBytes: 64 * 1024 })
    for (let i = 0; i < 20_000; i++)
      writer.emit({ type: 'output', stream: 'stdout', text: `line ${i}\n` })
    writer.closeSync()
    expect(writer.stats.dropped).toBe(0)
    expect(decodeEvents(readFileSync(path)).events).toHaveLength(20_000)
  })

  it('bounds memory while the disk refuses writes, and records the loss', async () => {
    const seam = faultyFs()
    const path = join(tempDir(), 'events.jsonl')
    const writer = EventLogWriter.open(path, {
      fs: seam,
      maxPendingBytes: 10_000,
      retryDelayMs: { initial: 1, max: 2 },
    })
    seam.fail = 'EIO'
    for (let i = 0; i < 10_000; i++)
      writer.emit({ type: 'output', stream: 'stdout', text: `line ${i}\n` })
    expect(writer.pendingBytes).toBeLessThan(11_000)
    expect(writer.stats.dropped).toBeGreaterThan(9000)
    seam.fail = undefined
    await writer.close()
    const { events } = decodeEvents(readFileSync(path))
    const last = events[events.length - 1]!
    expect(last).toMatchObject({ type: 'diagnostic', level: 'error', code: 'EVENTS_DROPPED' })
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1)) // no gaps
  })

  it('a periodic fsync still in flight at close is not reported as a failure', async () => {
    let pending: ((err: NodeJS.ErrnoException | null) => void) | undefined
    let started!: () => void
    const fsyncStarted = new Promise<void>((r) => (started = r))
    const seam: WriterFs = {
      ...(fs as unknown as WriterFs),
      fsync: (_fd, cb) => {
        pending = cb // completes after close, as a slow disk's does
        started()
      },
    }
    const diagnostics: WriterDiagnostic[] = []
    const writer = EventLogWriter.open(join(tempDir(), 'events.jsonl'), {
      fs: seam,
      fsyncIntervalMs: 10,
      onDiagnostic: (d) => diagnostics.push(d),
    })
    writer.emit(fileStart('a'))
    await fsyncStarted
    writer.closeSync()
    pending?.(Object.assign(new Error('EBADF: bad file descriptor, fsync'), { code: 'EBADF' }))
    expect(diagnostics).toEqual([])
  })

  it('never throws into the caller, even when every call fails', () => {
    const seam = faultyFs()
    seam.fail = 'EIO'
    seam.fsyncSync = () => {
      throw Object.assign(new Error('EIO'), { code: 'EIO' })
    }
    const writer = EventLogWriter.open(join(tempDir(), 'events.jsonl'), { fs: seam })
    writer.emit(fileStart('a'))
    expect(() => writer.flush()).not.toThrow()
    expect(() => writer.closeSync()).not.toThrow()
  })

  it('recreates events.jsonl with its contents when the run directory is deleted', async () => {
    const runDir = join(tempDir(), 'run')
    fs.mkdirSync(runDir)
    const path = join(runDir, 'events.jsonl')
    const diagnostics: WriterDiagnostic[] = []
    const writer = EventLogWriter.open(path, { onDiagnostic: (d) => diagnostics.push(d) })
    writer.emit(fileStart('a'))
    writer.flush()
    rmSync(runDir, { recursive: true, force: true })
    writer.emit(fileStart('b'))
    writer.checkDeleted()
    writer.emit(fileStart('c'))
    writer.closeSync()
    const { events } = decodeEvents(readFileSync(path))
    expect(
      events.filter((e) => e.type === 'file-start').map((e) => (e as { file: string }).file),
    ).toEqual(['a', 'b', 'c'])
    expect(events.some((e) => e.type === 'diagnostic')).toBe(true)
    expect(diagnostics).toHaveLength(1)
  })

  it('appends after existing content, continuing seq from firstSeq', () => {
    const path = join(tempDir(), 'events.jsonl')
    const a = EventLogWriter.open(path)
    a.emit(fileStart('a'))
    a.closeSync()
    const b = EventLogWriter.open(path, { firstSeq: 2 })
    b.emit(fileStart('b'))
    b.closeSync()
    expect(decodeEvents(readFileSync(path)).events.map((e) => e.seq)).toEqual([1, 2])
  })
})
