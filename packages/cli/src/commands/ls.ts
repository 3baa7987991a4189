/** `threepio ls`: the runs, newest first, then the sessions of `threepio run`. */
import { join } from 'node:path'
import { RUNS_DIR, SESSIONS_DIR } from '@threepio/core'
import {
  formatDuration,
  formatTests,
  isRunLive,
  listRunIds,
  listSessionIds,
  plural,
  readSession,
  runTally,
  sessionRuns,
  writerAlive,
  type SessionJson,
} from '@threepio/log-writer'
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
  /** The `threepio run` session it belongs to, if any. */
  session: string | null
}

export function ls(outputDir: string, json: boolean, io: CliIo): number {
  const sessions = readSessions(outputDir)
  const sessionOf = new Map<string, string>()
  for (const s of sessions) for (const r of s.runs) sessionOf.set(r.runDir, s.sessionId)
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
        session: sessionOf.get(path) ?? null,
      }
    })
  if (json) {
    io.out(JSON.stringify(runs, null, 2) + '\n')
    return 0
  }
  if (!runs.length && !sessions.length) {
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
  if (sessions.length) io.out(`\nSessions (threepio run), newest first:\n`)
  for (const s of sessions) {
    const exit = s.signal ? s.signal : s.exitCode === null ? '' : `exit ${s.exitCode}`
    const runsText = s.runs.length
      ? `${plural(s.runs.length, 'run')}: ${runTally(s.runs)}`
      : 'no runs'
    io.out(
      [s.sessionId, paintStatus(io, s.status.padEnd(11)), runsText, exit, s.command.join(' ')]
        .filter(Boolean)
        .join('  ') + '\n',
    )
  }
  return 0
}

/** The sessions, newest first; one whose `threepio run` is gone without ending reads INCOMPLETE. */
function readSessions(outputDir: string): SessionJson[] {
  return listSessionIds(outputDir)
    .reverse()
    .flatMap((id) => {
      const dir = join(outputDir, SESSIONS_DIR, id)
      const s = readSession(dir)
      if (!s) return []
      if (s.status !== 'RUNNING') return [s]
      // Its runs so far; INCOMPLETE where its `threepio run` is gone without ending it.
      const live = writerAlive(s.pid, Date.parse(s.startedAt))
      return [{ ...s, runs: sessionRuns(dir), status: live ? s.status : 'INCOMPLETE' }]
    })
}
