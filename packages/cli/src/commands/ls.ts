/** `threepio ls`: the runs, newest first. */
import { join } from 'node:path'
import { RUNS_DIR } from '@threepio/core'
import { formatDuration, formatTests, isRunLive, listRunIds } from '@threepio/log-writer'
import { readSummary } from '../find-run.js'
import { paintStatus, type CliIo } from '../io.js'

interface RunListing {
  runId: string
  status: string
  runner: string | null
  counts: Record<string, number> | null
  headline: string | null
  durationMs: number | null
  startedAt: string | null
  path: string
}

export function ls(outputDir: string, json: boolean, io: CliIo): number {
  const runs: RunListing[] = listRunIds(outputDir)
    .reverse()
    .map((runId) => {
      const path = join(outputDir, RUNS_DIR, runId)
      const s = readSummary(path)
      let status = (s?.status as string | undefined) ?? 'UNKNOWN'
      if (status === 'RUNNING' && !isRunLive(path)) status = 'INCOMPLETE'
      const runner = s?.runner as { name: string; version: string } | null | undefined
      return {
        runId,
        status,
        runner: runner ? `${runner.name} ${runner.version}` : null,
        counts: (s?.counts as Record<string, number> | undefined) ?? null,
        headline: (s?.headline as string | undefined) ?? null,
        durationMs: (s?.durationMs as number | undefined) ?? null,
        startedAt: (s?.startedAt as string | undefined) ?? null,
        path,
      }
    })
  if (json) {
    io.out(JSON.stringify(runs, null, 2) + '\n')
    return 0
  }
  if (!runs.length) {
    io.out(`no runs in ${outputDir}\n`)
    return 0
  }
  for (const r of runs) {
    const counts = r.headline ?? (r.counts ? formatTests(r.counts as never) : '')
    const took = r.durationMs !== null ? formatDuration(r.durationMs) : ''
    io.out(
      [r.runId, paintStatus(io, r.status.padEnd(11)), r.runner ?? '', counts, took]
        .filter(Boolean)
        .join('  ') + '\n',
    )
  }
  return 0
}
