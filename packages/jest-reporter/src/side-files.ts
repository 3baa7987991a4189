/** Reading the workers' side files (see protocol.ts). */
import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type * as Core from '@threepio/core'
import type { Event, EventDecoder } from '@threepio/core'

/**
 * The event decoder (with the schema it checks lines against) is loaded when a side file is
 * first read: in band there are none, and Jest's own thread does not pay for loading it.
 */
let core: typeof Core | undefined
const loadCore = (): typeof Core =>
  (core ??= createRequire(import.meta.url)('@threepio/core') as typeof Core)

/**
 * Reads every side file incrementally and synchronously: a worker writes its output before it
 * reports a file's result, so one read at that moment catches up with everything it printed.
 */
export class SideFiles {
  private readonly files = new Map<string, { offset: number; decoder: EventDecoder }>()
  private readonly buf = Buffer.allocUnsafe(256 * 1024)

  constructor(readonly dir: string) {}

  /** Lines of all side files that could not be read as events so far. */
  get skipped(): number {
    let n = 0
    for (const { decoder } of this.files.values()) n += loadCore().skippedLines(decoder.stats)
    return n
  }

  /** Events appended since the last call, file by file. Never throws. */
  poll(): Event[] {
    const out: Event[] = []
    let names: string[] = []
    // In band there are no side files: a missing folder is the common case, not an exception.
    if (!existsSync(this.dir)) return out
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.jsonl'))
    } catch {
      return out
    }
    for (const name of names) {
      let state = this.files.get(name)
      if (!state)
        this.files.set(name, (state = { offset: 0, decoder: new (loadCore().EventDecoder)() }))
      let fd: number
      try {
        fd = openSync(join(this.dir, name), 'r')
      } catch {
        continue
      }
      try {
        for (;;) {
          const n = readSync(fd, this.buf, 0, this.buf.length, state.offset)
          if (n <= 0) break
          state.offset += n
          for (const { event } of state.decoder.push(this.buf.subarray(0, n))) out.push(event)
        }
      } catch {
        // a worker's file vanished or cannot be read: what was read is kept
      } finally {
        closeSync(fd)
      }
    }
    return out
  }
}
