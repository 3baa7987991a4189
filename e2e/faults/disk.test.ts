/**
 * Disk trouble under real runners: a disk that fills up and stays full (ENOSPC), one that fails
 * a few writes and recovers (EIO), one that stops answering for seconds (HANG), few file
 * descriptors (`ulimit -n 64`, EMFILE), and the run directory deleted mid-run. Each time the run
 * ends exactly as without threepio, with at most one threepio warning and no hang beyond the
 * disk's own; what events.jsonl holds stays readable and, once the fault is gone, complete.
 */
import { readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { skippedLines } from '@threepio/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../src/helpers.js'
import {
  consistencyProblems,
  faultRun,
  preparePython,
  recorded,
  RUNNERS,
  type FaultRun,
  type FaultRunOptions,
  type Runner,
} from './runners.js'

beforeAll(preparePython)

/** The fixture's 16 tests: 4 fail, 12 pass. */
const FULL = { failed: 4, passed: 12, total: 16 }

interface Scenario {
  name: string
  options: FaultRunOptions
  /**
   * Warnings allowed: exactly one for a fault threepio must report, none for one that only slows
   * the disk down, at most one otherwise.
   */
  warnings: 'one' | 'none' | 'at most one'
  /** The fault ends before the run does, so the record must be complete. */
  recovers: boolean
  /** The run takes at least this long with the fault (ms): it was in effect. */
  waits?: number
}

/** How long a simulated hang holds each write up: threepio's shared facts, as Python reads them. */
const HANG_MS = (
  JSON.parse(
    readFileSync(join(ROOT, 'packages/pytest-bridge/src/pytest_threepio/_shared.json'), 'utf8'),
  ) as { simulatedHangMs: number }
).simulatedHangMs

const SCENARIOS: Scenario[] = [
  {
    name: 'disk full (ENOSPC) early, for the rest of the run',
    options: { env: { THREEPIO_SIMULATE_FAULT: 'ENOSPC@2' } },
    warnings: 'one',
    recovers: false,
  },
  {
    name: 'I/O errors (EIO) on 3 writes, then recovery',
    options: { env: { THREEPIO_SIMULATE_FAULT: 'EIO@2+3' } },
    warnings: 'one',
    recovers: true,
  },
  {
    name: `a disk that stops answering: 2 writes wait ${HANG_MS / 1000} s each, then succeed`,
    options: { env: { THREEPIO_SIMULATE_FAULT: 'HANG@2+2' } },
    warnings: 'none',
    recovers: true,
    // Every write is waited for before the run ends (the hangs may overlap the tests, not it).
    waits: 2 * HANG_MS,
  },
  {
    name: 'few file descriptors (ulimit -n 64)',
    options: { ulimitN: 64 },
    warnings: 'at most one',
    recovers: true,
  },
  {
    name: 'run directory deleted mid-run',
    options: {
      point: 8,
      at: ({ runDir, release }) => {
        const dir = runDir()
        try {
          // Gone from its path at once (the run goes on writing, by path, into a new one),
          // then removed, so that open files lose their last link too.
          if (dir) {
            renameSync(dir, dir + '.deleted')
            rmSync(dir + '.deleted', { recursive: true, force: true })
          }
        } finally {
          release()
        }
      },
    },
    warnings: 'one',
    recovers: true,
  },
]

async function check(runner: Runner, scenario: Scenario, run: FaultRun, bare: FaultRun) {
  const problems: string[] = []
  if (run.hung || bare.hung) problems.push('hung')
  if (scenario.options.point !== undefined && !run.reached) problems.push('point not reached')
  if (run.exitCode !== bare.exitCode || run.signal !== bare.signal)
    problems.push(
      `ended with ${run.exitCode ?? run.signal}, without threepio ${bare.exitCode ?? bare.signal}`,
    )
  if (scenario.waits !== undefined && run.ms < scenario.waits)
    problems.push(`took ${Math.round(run.ms)} ms: the fault did not hold up ${scenario.waits} ms`)
  const allowed = { one: [1], none: [0], 'at most one': [0, 1] }[scenario.warnings]
  if (!allowed.includes(run.warnings.length))
    problems.push(`${run.warnings.length} warnings: ${run.warnings.join(' | ')}`)
  const rec = await recorded(runner, run)
  if (!rec) return [...problems, 'no run recorded']
  if (scenario.recovers) {
    problems.push(...consistencyProblems(rec))
    // run-end, followed by nothing but threepio's own diagnostics (a deletion noticed at close).
    const end = rec.events.findLast((e) => e.type !== 'diagnostic')
    if (end?.type !== 'run-end') problems.push(`the last event is ${end?.type}, not run-end`)
    const counts = (rec.summary as { counts?: { total: number; failed: number } } | undefined)
      ?.counts
    if (counts?.total !== FULL.total || counts?.failed !== FULL.failed)
      problems.push(`run.json counts ${JSON.stringify(counts)}`)
    if (rec.summary?.status !== 'FAILED') problems.push(`run.json status ${rec.summary?.status}`)
  } else {
    // What reached the disk before it filled up is intact.
    const first = rec.events[0]
    if (first?.type !== 'run-start') problems.push('run-start is missing')
    if (skippedLines(rec.stats)) problems.push('unreadable lines in events.jsonl')
  }
  return problems
}

for (const runner of RUNNERS) {
  describe(runner.name, () => {
    it.for(SCENARIOS.map((s) => [s.name, s] as const))('%s', async ([, scenario]) => {
      const [run, bare] = await Promise.all([
        faultRun(runner, 'faults', { ...scenario.options, timeoutMs: 60_000 }),
        faultRun(runner, 'faults', { ...scenario.options, bare: true, timeoutMs: 60_000 }),
      ])
      expect(bare.exitCode, bare.stderr).toBe(1) // the fixture itself ran: 4 tests fail
      const problems = await check(runner, scenario, run, bare)
      expect(problems, run.stderr.slice(-1500)).toEqual([])
    })
  })
}
