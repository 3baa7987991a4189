/**
 * The setup file the reporter adds to every project (no configuration): a test's
 * `process.stdout.write` and `process.stderr.write` output, which Vitest shows in the terminal
 * but hands reporters nowhere, kept in the running test's `meta` (which Vitest sends with the
 * test's result), to be recorded under that test, at its result. Every write still goes through
 * unchanged. Writes of no test (while the file loads, in its hooks) stay the terminal's only.
 */
import { MAX_OUTPUT_CHARS } from '@threepio/core/output-text'
import { WRITES_KEY, type CapturedWrites } from './write-capture-key.js'

/** A task of Vitest's runner, as far as this reads it. */
interface Task {
  type?: string
  meta?: Record<string, unknown>
}

/** The global object of the test file running now (each file has its own with vmThreads). */
interface Capture {
  global: object
}

/**
 * The task Vitest's worker is running: its worker state (`__vitest_worker__` on the test file's
 * global object, the same in Vitest 3, 4 and 5) names it as `current`, a test while one runs.
 * Read at each write, so this file needs nothing from Vitest itself (no copy of it to resolve).
 */
function runningTest(capture: Capture): Task | undefined {
  const state = (capture.global as { __vitest_worker__?: { current?: Task } }).__vitest_worker__
  const task = state?.current
  return task?.type === 'test' && task.meta ? task : undefined
}

const CAPTURE = Symbol.for('threepio.vitest-reporter.write-capture')

/** Patches the streams once per process (a worker runs many files), for the latest file. */
function patch(): void {
  if (typeof process === 'undefined' || !process.stdout || !process.stderr) return // a browser
  const on = process as unknown as Record<symbol, Capture | undefined>
  const known = on[CAPTURE]
  if (known) {
    known.global = globalThis
    return
  }
  const capture: Capture = (on[CAPTURE] = { global: globalThis })
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream]
    const original = target.write
    target.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      const test = runningTest(capture)
      if (test) keep(test.meta!, stream, chunk)
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest)
    } as typeof target.write
  }
}

function keep(meta: Record<string, unknown>, stream: 'stdout' | 'stderr', chunk: unknown): void {
  try {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString()
    const writes = (meta[WRITES_KEY] ??= { parts: [], chars: 0, dropped: 0 }) as CapturedWrites
    const room = MAX_OUTPUT_CHARS - writes.chars
    const kept = text.length > room ? text.slice(0, Math.max(0, room)) : text
    writes.dropped += text.length - kept.length
    if (!kept) return
    writes.chars += kept.length
    const last = writes.parts[writes.parts.length - 1]
    if (last && last[0] === stream) last[1] += kept
    else writes.parts.push([stream, kept])
  } catch {
    // never disturb the test: its output still reaches the terminal
  }
}

patch()
