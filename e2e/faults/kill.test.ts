/**
 * SIGINT, SIGTERM and SIGKILL at 20 points of a run (module load or setup, and the start of each
 * test: fixtures/checkpoint.cjs), for each runner. At every point: the process ends exactly as
 * the same run without threepio does, every events.jsonl line parses, and the logs and
 * summaries are what the events say (after `threepio report` for SIGKILL).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { crashedOnDeadWorker, killGroup } from '../src/helpers.js'
import { held } from './table.js'
import {
  consistencyProblems,
  faultRun,
  preparePython,
  recorded,
  RUNNERS,
  type FaultRunOptions,
} from './runners.js'

const POINTS = Array.from({ length: 20 }, (_, i) => i + 1)
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const
type Signal = (typeof SIGNALS)[number]

beforeAll(preparePython)

/** Ctrl+C reaches the whole process group; `kill`, CI timeouts and the OOM killer hit one process. */
function send(signal: Signal): FaultRunOptions['at'] {
  return ({ proc }) => {
    if (signal === 'SIGTERM') proc.kill('SIGTERM')
    else killGroup(proc, signal)
  }
}

for (const runner of RUNNERS) {
  describe(runner.name, () => {
    it.for(SIGNALS)('%s at 20 points', async (signal, { task }) => {
      const problems: string[] = []
      let good = 0
      let frameworkCrashes = 0
      for (const point of POINTS) {
        const at = send(signal)
        // SIGKILL ends any process the same way; the others are compared with a bare run.
        const [run, bare] = await Promise.all([
          faultRun(runner, 'faults', { point, at }),
          signal === 'SIGKILL'
            ? Promise.resolve({
                exitCode: null,
                signal: 'SIGKILL',
                reached: true,
                hung: false,
                stderr: '',
              })
            : faultRun(runner, 'faults', { point, at, bare: true }),
        ])
        const found: string[] = []
        if (!run.reached || !bare.reached) found.push('the kill point was not reached')
        if (run.hung || bare.hung) found.push('hung')
        // Vitest's own race (see crashedOnDeadWorker), in either run: it then ends the run as
        // failed, not interrupted, and threepio records what Vitest said. Counted apart, not as
        // threepio's.
        const vitestCrashed = runner.dir === 'vitest' && crashedOnDeadWorker(run.stderr)
        const bareCrashed = runner.dir === 'vitest' && crashedOnDeadWorker(bare.stderr)
        if (
          (run.exitCode !== bare.exitCode || run.signal !== bare.signal) &&
          !((vitestCrashed || bareCrashed) && ++frameworkCrashes)
        )
          found.push(
            `ended with ${run.exitCode ?? run.signal}, without threepio ${bare.exitCode ?? bare.signal}`,
            `without threepio, stderr ended: ${bare.stderr.slice(-1000)}`,
          )
        const rec = await recorded(runner, run, { report: signal === 'SIGKILL' })
        if (!rec) found.push('no run recorded')
        else {
          found.push(...consistencyProblems(rec))
          const last = rec.events.at(-1)
          // pytest runs one test at a time: every test before the stopped one has ended, on disk.
          const ended = rec.events.filter((e) => e.type === 'test-end').length
          if (runner.dir === 'pytest' && point > 4 && ended < point - 5)
            found.push(`${ended} test-end events, ${point - 5} tests had ended`)
          if (
            signal !== 'SIGKILL' &&
            (last?.type !== 'run-end' || (last.status !== 'interrupted' && !vitestCrashed))
          )
            found.push(`the last event is ${last?.type}, not run-end (interrupted)`)
        }
        if (run.warnings.length) found.push(`warned: ${run.warnings.join(' | ')}`)
        if (found.length === 0) good++
        else problems.push(`point ${point}: ${found.join('; ')}\n${run.stderr.slice(-2000)}`)
      }
      held(task, good, POINTS.length, frameworkCrashes)
      expect(problems).toEqual([])
    })
  })
}
