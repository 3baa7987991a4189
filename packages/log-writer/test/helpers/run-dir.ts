import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterEach } from 'vitest'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A temporary directory removed after the test. */
export function tempDir(prefix = 'threepio-lw-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** Every file under `dir` (relative POSIX paths) with its bytes. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p))
    }
  }
  walk(dir)
  return out
}

/** A copy of a run directory holding only its events.jsonl. */
export function eventsOnlyCopy(runDir: string): string {
  const copy = join(tempDir(), 'replay')
  mkdirSync(copy, { recursive: true })
  cpSync(join(runDir, 'events.jsonl'), join(copy, 'events.jsonl'))
  return copy
}

/** Paths of the fixture event streams. */
export const FIXTURES = join(import.meta.dirname, '../../../../fixtures/events')
