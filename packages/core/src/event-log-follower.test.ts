import { spawn } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EventLogFollower } from './event-log-follower.js'
import { encodeEvent } from './jsonl.js'
import type { Event } from './schema.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'threepio-follow-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const line = (seq: number) => encodeEvent({ type: 'file-start', seq, time: seq, file: `f${seq}` })

describe('EventLogFollower', () => {
  it('moves to a recreated file (the run directory deleted) and reads on at the same offset', async () => {
    const dir = join(tempDir(), 'run')
    const path = join(dir, 'events.jsonl')
    mkdirSync(dir)
    writeFileSync(path, line(1) + line(2))
    const follower = new EventLogFollower(path, { pollIntervalMs: 10 })
    const seen: number[] = []
    for await (const event of follower) {
      seen.push(event.seq)
      if (event.seq === 2) {
        // Deleted with its directory, then recreated with what was written and one more event.
        rmSync(dir, { recursive: true })
        mkdirSync(dir)
        writeFileSync(path, line(1) + line(2) + line(3))
      }
      if (event.seq === 3) follower.finish()
    }
    expect(seen).toEqual([1, 2, 3])
  })

  it('reads every event of a file another process appends 200,000 events to, once and in order', async () => {
    const path = join(tempDir(), 'events.jsonl')
    const total = 200_000
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '../test/helpers/append-events.mjs'), path, String(total)],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    )
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    )
    const follower = new EventLogFollower(path, { chunkBytes: 16 * 1024 })
    void exited.then(() => follower.finish())
    let expected = 1
    let outOfOrder = 0
    let readWhileWriting = 0
    let childDone = false
    void exited.then(() => (childDone = true))
    for await (const event of follower) {
      if (event.seq !== expected) outOfOrder++
      expected = event.seq + 1
      if (!childDone) readWhileWriting++
    }
    expect(await exited).toBe(0)
    expect(outOfOrder).toBe(0)
    expect(expected - 1).toBe(total)
    expect(follower.stats).toMatchObject({ events: total, invalidJson: 0, truncated: 0 })
    expect(readWhileWriting).toBeGreaterThan(0) // it really followed a live file
  })

  it('waits for the rest of a partial line', async () => {
    const path = join(tempDir(), 'events.jsonl')
    const first = line(1)
    writeFileSync(path, first + line(2).slice(0, 10))
    const follower = new EventLogFollower(path, { pollIntervalMs: 5 })
    const it = follower[Symbol.asyncIterator]()
    expect((await it.next()).value).toMatchObject({ seq: 1 })
    const second = it.next()
    appendFileSync(path, line(2).slice(10))
    expect((await second).value).toMatchObject({ seq: 2 })
    follower.finish()
    expect((await it.next()).done).toBe(true)
    expect(follower.stats.truncated).toBe(0)
  })

  it('starts at an offset and reports where it stopped', async () => {
    const path = join(tempDir(), 'events.jsonl')
    writeFileSync(path, line(1) + line(2) + line(3))
    const follower = new EventLogFollower(path, { offset: Buffer.byteLength(line(1)) })
    follower.finish()
    const seqs: number[] = []
    for await (const e of follower) seqs.push(e.seq)
    expect(seqs).toEqual([2, 3])
    expect(follower.offset).toBe(Buffer.byteLength(line(1) + line(2) + line(3)))
  })

  it('waits for a file that does not exist yet', async () => {
    const path = join(tempDir(), 'events.jsonl')
    const follower = new EventLogFollower(path, { pollIntervalMs: 5 })
    const it = follower[Symbol.asyncIterator]()
    const first = it.next()
    writeFileSync(path, line(1))
    expect((await first).value).toMatchObject({ seq: 1 })
    follower.close()
    expect((await it.next()).done).toBe(true)
  })

  it('reads only as fast as the consumer pulls', async () => {
    const path = join(tempDir(), 'events.jsonl')
    writeFileSync(path, Array.from({ length: 10_000 }, (_, i) => line(i + 1)).join(''))
    const follower = new EventLogFollower(path, { chunkBytes: 4096 })
    const it = follower[Symbol.asyncIterator]()
    await it.next()
    // One chunk read, not the whole file.
    expect(follower.stats.events).toBeLessThan(100)
    follower.close()
    await it.next()
  })

  it('counts a truncated last line once the writer is done', async () => {
    const path = join(tempDir(), 'events.jsonl')
    writeFileSync(path, line(1) + '{"type":"file-st')
    const follower = new EventLogFollower(path)
    follower.finish()
    const events: Event[] = []
    for await (const e of follower) events.push(e)
    expect(events).toHaveLength(1)
    expect(follower.stats.truncated).toBe(1)
  })
})
