/**
 * `threepio merge`: a suite run whole and in 3 shards (Jest --shard, Vitest --shard, pytest jobs
 * over a third of the files each); the merged run counts what the whole run counts, file by
 * file and status by status, and its events are the shards' events, renumbered and tagged.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectSameRecord, threepioRecord } from './conformance.js'
import {
  CLI,
  expectWellFormed,
  FIXTURES,
  readRecordedRun,
  ROOT,
  run,
  settledSummary,
  tempDir,
  type RunResult,
} from './helpers.js'
import { runJest, runVitest } from './runners.js'

/** `threepio merge` of the shards' run directories into a fresh output directory. */
async function merge(shards: RunResult[]): Promise<RunResult> {
  const out = join(tempDir(), '.3pio')
  const r = spawnSync(process.execPath, [CLI, 'merge', ...shards.map((s) => s.runDir), '-o', out], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  expect(r.status, r.stderr).toBe(0)
  expect(r.stdout).toMatch(/ · 3 shards · .*test-run\.md\n$/)
  const merged = readRecordedRun(out, {
    exitCode: r.status,
    signal: null,
    stdout: r.stdout,
    stderr: r.stderr,
  })
  // As any run directory: every line readable and valid, seq without gaps.
  expectWellFormed({ ...merged, stderr: `threepio: ${merged.summary.closing as string}` })
  return merged
}

function expectMergedEqualsWhole(
  merged: RunResult,
  whole: RunResult,
  shards: RunResult[],
  runner: 'jest' | 'vitest' | 'pytest',
) {
  expect(merged.summary.counts).toEqual(whole.summary.counts)
  expect(merged.summary.files).toEqual(whole.summary.files)
  expect(merged.summary.status).toBe(whole.summary.status)
  expectSameRecord(
    threepioRecord(merged.summary, runner),
    threepioRecord(whole.summary, runner),
    'the whole run',
  )
  const start = merged.events[0]
  expect(start?.type === 'run-start' && start.shards?.map((s) => s.runId)).toEqual(
    shards.map((s) => (s.events[0]?.type === 'run-start' ? s.events[0].runId : '')),
  )
  // Every event of every shard, in shard order, tagged with its shard.
  const body = merged.events.slice(1, -1)
  const fromShards = shards.flatMap((s, i) =>
    s.events
      .filter((e) => e.type !== 'run-start' && e.type !== 'run-end')
      .map((e) => ({ type: e.type, shard: i + 1 })),
  )
  expect(body.map((e) => ({ type: e.type, shard: e.shard }))).toEqual(fromShards)
  expect(merged.logs().sort()).toEqual(whole.logs().sort())
  // The merged run joins the history of its output directory: the questions across runs see it.
  const file = (merged.summary.fileList as Array<{ file: string; counts: { total: number } }>).find(
    (f) => f.counts.total > 0,
  )!.file
  const history = spawnSync(
    process.execPath,
    [CLI, 'history', file, '--json', '--dir', merged.outputDir],
    {
      encoding: 'utf8',
    },
  )
  const tests = JSON.parse(history.stdout) as Array<{ outcomes: Array<{ runId: string }> }>
  expect(tests.length).toBeGreaterThan(0)
  expect(tests[0]!.outcomes.map((o) => o.runId)).toEqual([merged.summary.runId])
}

describe('threepio merge', () => {
  it('Vitest --shard: three shards merged count as the whole run', async () => {
    const whole = await runVitest(4, 'many-files')
    const shards = [
      await runVitest(4, 'many-files', { args: ['--shard=1/3'] }),
      await runVitest(4, 'many-files', { args: ['--shard=2/3'] }),
      await runVitest(4, 'many-files', { args: ['--shard=3/3'] }),
    ]
    expectMergedEqualsWhole(await merge(shards), whole, shards, 'vitest')
  })

  it('Jest --shard: three shards merged count as the whole run', async () => {
    const whole = await runJest(30, 'many-files')
    const shards = [
      await runJest(30, 'many-files', { args: ['--shard=1/3'] }),
      await runJest(30, 'many-files', { args: ['--shard=2/3'] }),
      await runJest(30, 'many-files', { args: ['--shard=3/3'] }),
    ]
    expectMergedEqualsWhole(await merge(shards), whole, shards, 'jest')
  })

  it('pytest jobs over a third of the files each: merged count as the whole run', async () => {
    const { ensureVenv } = (await import(join(ROOT, 'packages/pytest-bridge/venv.mjs'))) as {
      ensureVenv: (major: number) => string
    }
    const python = join(ensureVenv(9), 'python')
    const cwd = join(FIXTURES, 'pytest', 'module-skips')
    const pytest = async (files: string[]) => {
      const r = await run(python, ['-m', 'pytest', ...files], { cwd })
      return {
        ...r,
        summary: (await settledSummary(
          r.runDir,
          (s) => s.status !== 'RUNNING',
        )) as RunResult['summary'],
      }
    }
    const whole = await pytest([])
    const shards = [
      await pytest(['test_numpy.py']),
      await pytest(['test_platform.py']),
      await pytest(['test_runs.py']),
    ]
    expectMergedEqualsWhole(await merge(shards), whole, shards, 'pytest')
  })
})
