/**
 * One message to many readers (`threepio serve`'s page streams): each message is written to
 * every reader that has taken the ones before, and a reader still taking an earlier one gets
 * only the newest when it has. A slow page skips to the latest; nothing piles up.
 */
import type { Writable } from 'node:stream'

export class Broadcast {
  private readonly readers = new Set<Writable>()
  private readonly behind = new Set<Writable>()
  private latest = ''

  get size(): number {
    return this.readers.size
  }

  add(reader: Writable): void {
    this.readers.add(reader)
    reader.on('drain', () => {
      if (this.behind.delete(reader)) reader.write(this.latest)
    })
  }

  remove(reader: Writable): void {
    this.readers.delete(reader)
    this.behind.delete(reader)
  }

  send(message: string): void {
    this.latest = message
    for (const reader of this.readers) {
      if (reader.writableNeedDrain) this.behind.add(reader)
      else reader.write(message)
    }
  }
}
