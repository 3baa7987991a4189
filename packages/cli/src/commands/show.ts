/** `threepio show`: a run's test-run.md or run.json. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SESSION_JSON, SESSION_MD, SUMMARY_JSON, SUMMARY_MD } from '@threepio/core'
import { isRunLive, writerPid } from '@threepio/log-writer'
import { readSummary } from '../find-run.js'
import { CommandError, withProg, type CliIo } from '../io.js'

export function show(runDir: string, json: boolean, io: CliIo): number {
  const file = join(runDir, json ? SUMMARY_JSON : SUMMARY_MD)
  try {
    const text = readFileSync(file, 'utf8')
    if (readSummary(runDir)?.status === 'RUNNING' && !isRunLive(runDir))
      io.err(
        withProg(
          io,
          `threepio: this run is INCOMPLETE: its writer (pid ${writerPid(runDir) ?? 'unknown'}) is gone and the run never ended; the summary below is as it last wrote it. Finalise it with: {prog} report ${runDir}\n`,
        ),
      )
    io.out(text)
    return 0
  } catch {
    throw new CommandError(`${file} does not exist; rebuild it with: {prog} report ${runDir}`)
  }
}

/** `threepio show <session>`: the session's summary.md, or its session.json with --json. */
export function showSession(sessionDir: string, json: boolean, io: CliIo): number {
  const file = join(sessionDir, json ? SESSION_JSON : SESSION_MD)
  try {
    io.out(readFileSync(file, 'utf8'))
    return 0
  } catch {
    throw new CommandError(`${file} does not exist: the session was never written or is damaged`)
  }
}
