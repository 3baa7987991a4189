/**
 * Real kill tests: a child process records a run through RunRecorder and is sent SIGINT, SIGTERM
 * or SIGKILL at a random point. Every resulting run directory must agree with its events.jsonl.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeEvents, skippedLines } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { startChild } from '../../test/helpers/child.js'
import { eventsOnlyCopy, readTree, tempDir } from '../../test/helpers/run-dir.js'
import { rebuildRun } from '../run-directory/replay.js'

const PER_SIGNAL = 20
/** A fixed-seed sequence of kill points, so a failure can be rerun as it was. */
function killPoints(seed: number, n: number): number[] {
  let x = seed
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return 1 + (x % 60)
  })
}

async function inBatches<T>(
  items: T[],
  size: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    // Settle the whole batch before failing, so no child is still writing during cleanup.
    const results = await Promise.allSettled(items.slice(i, i + size).map(fn))
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  }
}

function rebuilt(runDir: string): Map<string, Buffer> {
  const copy = eventsOnlyCopy(runDir)
  rebuildRun(copy)
  return readTree(copy)
}

describe.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)('killed by %s', (signal) => {
  it(`leaves a consistent run directory at ${PER_SIGNAL} random points`, async () => {
    const points = killPoints(signal.length * 7919, PER_SIGNAL)
    await inBatches(points, 4, async (point) => {
      const child = startChild(['recorder', tempDir(), '100000', '4'])
      const runDir = await child.runDir
      await child.progress(point)
      child.proc.kill(signal)
      const exit = await child.exited
      // Exactly as without threepio: the process dies by the signal it got.
      expect(exit.signal, `point ${point}: ${exit.stderr}`).toBe(signal)
      expect(exit.stderr).toBe('')

      const { events, stats } = decodeEvents(readFileSync(join(runDir, 'events.jsonl')))
      expect(stats.invalidJson + stats.invalidUtf8 + stats.invalidEvent).toBe(0)
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
      const fileEnds = events.filter((e) => e.type === 'file-end').length
      expect(fileEnds).toBeGreaterThanOrEqual(point)

      const live = readTree(runDir)
      const truth = rebuilt(runDir)
      if (signal !== 'SIGKILL') {
        // Flushed on the way out: a run-end, and every file as a replay writes it.
        expect(stats.truncated).toBe(0)
        expect(events.at(-1)).toMatchObject({
          type: 'run-end',
          status: 'interrupted',
          reason: `received ${signal}`,
        })
        expect([...live.keys()]).toEqual([...truth.keys()])
        for (const [path, bytes] of truth)
          expect(live.get(path)?.toString(), `${path} at point ${point}`).toBe(bytes.toString())
        expect(JSON.parse(live.get('run.json')!.toString()).status).toBe('INTERRUPTED')
      } else {
        // Whatever reached the disk is a prefix of the truth; `threepio report` completes it.
        expect(skippedLines(stats)).toBeLessThanOrEqual(1)
        for (const [path, bytes] of live) {
          if (!path.startsWith('logs/')) continue
          expect(truth.get(path)!.subarray(0, bytes.length).toString(), path).toBe(bytes.toString())
        }
        rebuildRun(runDir)
        const summary = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))
        expect(summary.status).toBe('INCOMPLETE')
        const testIds = new Set(events.flatMap((e) => (e.type === 'test-end' ? [e.test.id] : [])))
        expect(summary.counts.total).toBe(testIds.size)
      }
    })
  })
})
