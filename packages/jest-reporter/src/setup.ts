/**
 * `@threepio/jest-reporter/setup`: add it to `setupFilesAfterEnv` for live, per-test output.
 *
 * In each worker it records console calls and `process.stdout/stderr.write` with the test that is
 * running (`expect.getState().currentTestName`) and appends them, as they happen, to a side file in
 * the run directory that the reporter merges into events.jsonl. Output still reaches Jest exactly
 * as before: every call goes through to the original. Without the reporter it does nothing.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { format } from 'node:util'
import type { OutputEvent } from '@threepio/core'
import { toEventFile } from '@threepio/core/path-map'
import { jestTestId, ROOT_DIR_ENV, SIDE_DIR_ENV } from './protocol.js'

declare const expect: { getState(): { currentTestName?: string; testPath?: string } }
declare const afterAll: (fn: () => void) => void

const sideDir = process.env[SIDE_DIR_ENV]
const rootDir = process.env[ROOT_DIR_ENV]

if (sideDir && rootDir && typeof expect !== 'undefined') install(sideDir, rootDir)

function install(dir: string, root: string): void {
  let fd: number
  try {
    mkdirSync(dir, { recursive: true })
    fd = openSync(join(dir, `${process.pid}.jsonl`), 'a')
  } catch {
    return // no live output for this file; the reporter still gets it at file end
  }
  const testPath = expect.getState().testPath
  const file = testPath ? toEventFile(root, testPath) : undefined
  let seq = 0
  let inside = false
  const record = (stream: 'stdout' | 'stderr', text: string) => {
    if (inside || !text) return
    inside = true
    try {
      const name = expect.getState().currentTestName
      const event: OutputEvent = {
        type: 'output',
        seq: ++seq,
        time: Date.now(),
        ...(file !== undefined ? { file } : {}),
        ...(file !== undefined && name ? { testId: jestTestId(file, name) } : {}),
        stream,
        text,
      }
      writeSync(fd, JSON.stringify(event) + '\n')
    } catch {
      // never disturb the test
    } finally {
      inside = false
    }
  }

  const restore: Array<() => void> = []
  const methods = {
    log: 'stdout',
    info: 'stdout',
    debug: 'stdout',
    trace: 'stderr',
    warn: 'stderr',
    error: 'stderr',
  } as const
  const target = console as unknown as Record<string, (...args: unknown[]) => void>
  for (const [method, stream] of Object.entries(methods)) {
    const original = target[method]
    if (typeof original !== 'function') continue
    target[method] = function (this: unknown, ...args: unknown[]) {
      record(stream, format(...args) + '\n')
      inside = true // the console may write to process.stdout itself: not twice
      try {
        return original.apply(this, args)
      } finally {
        inside = false
      }
    }
    restore.push(() => (target[method] = original))
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const s = process[stream]
    const original = s.write
    s.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      record(
        stream,
        typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '',
      )
      return (original as (...a: unknown[]) => boolean).apply(this, [chunk, ...rest])
    } as typeof s.write
    restore.push(() => (s.write = original))
  }
  afterAll(() => {
    for (const r of restore) r()
    try {
      closeSync(fd)
    } catch {
      // already closed
    }
  })
}
