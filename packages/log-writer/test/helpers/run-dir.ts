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
      else {
        const rel = relative(dir, p).split('\\').join('/')
        out.set(rel, rel === 'report.html' ? pageData(readFileSync(p)) : readFileSync(p))
      }
    }
  }
  walk(dir)
  return out
}

/**
 * report.html by its data only: its code is the build's, and a run written by a child process
 * (the built package) is compared with one rebuilt here (the sources, compiled by the test).
 */
function pageData(page: Buffer): Buffer {
  const data = /<script type="application\/json" id="threepio-data">([^<]*)<\/script>/.exec(
    page.toString('utf8'),
  )
  return Buffer.from(data?.[1] ?? '(no data)')
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
