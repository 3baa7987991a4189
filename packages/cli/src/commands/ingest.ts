/** `threepio ingest`: a run directory kept up to date from events another process writes. */
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import {
  ingestRun,
  processAlive,
  pruneRuns,
  warningText,
  writeAskedExports,
  type HistoryView,
} from '@threepio/log-writer'
import { CommandError, UsageError, type CliIo } from '../io.js'
import { parseKeep } from './clean.js'

export async function ingest(
  runDir: string,
  pidArg: string | undefined,
  keepArg: string | undefined,
  exports: { junit: string; ctrf: string },
  io: CliIo,
): Promise<number> {
  let pid: number | undefined
  if (pidArg !== undefined) {
    pid = Number(pidArg)
    if (!Number.isInteger(pid) || pid <= 0)
      throw new UsageError(`--pid needs a process id; received "${pidArg}"`)
  }
  if (!existsSync(runDir) && pid !== undefined && processAlive(pid)) {
    // The writer's run directory was deleted before this process looked: the writer recreates
    // its events.jsonl when it notices, and this process the rest.
    mkdirSync(runDir, { recursive: true })
  }
  try {
    if (!statSync(runDir).isDirectory()) throw new Error()
  } catch {
    throw new CommandError(`${runDir} is not a run directory`)
  }
  if (keepArg !== undefined) {
    const keep = parseKeep(keepArg)
    // Retention for the writer of this run: <outputDir>/runs/<id> is the run directory.
    pruneRuns(dirname(dirname(runDir)), keep, [basename(runDir)])
  }
  let warned = false
  let stop: (() => void) | undefined
  let received: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    received = signal
    stop?.()
  }
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
  for (const s of signals) process.on(s, onSignal)
  // stderr may be a pipe to a process that is gone (pytest killed): the run directory matters more.
  process.stderr.on('error', () => {})
  let history: HistoryView | undefined
  try {
    ;({ history } = await ingestRun(runDir, {
      ...(pid !== undefined ? { pid } : {}),
      onStart: (s) => (stop = s),
      onDiagnostic: (d) => {
        if (!warned) io.err(warningText(d.message))
        warned = true
      },
    }))
  } finally {
    for (const s of signals) process.off(s, onSignal)
  }
  const problem = writeAskedExports(runDir, exports, history)
  if (problem && !warned) io.err(warningText(problem))
  // Everything is written: now let the signal do what it would have done.
  if (received) process.kill(process.pid, received)
  return 0
}
