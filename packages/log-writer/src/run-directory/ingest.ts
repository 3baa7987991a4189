/**
 * `threepio ingest`: maintains a run directory from an events.jsonl that another process writes
 * (the pytest plugin), until run-end, or until that process is gone and the file is read to its
 * end. Then it writes the final logs and summary.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EVENTS_FILE, EventLogFollower, type WriterDiagnostic } from '@threepio/core'
import { INGEST_MARKER, processAlive } from './retention.js'
import { RunDirectory } from './run-directory.js'
import { FaultGate, faultyRunDirectoryFs, simulatedFaultFromEnv } from './simulated-faults.js'
import type { RunState } from '../run-model/run-state.js'

export interface IngestOptions {
  /** pid of the writing process; default: the pid in run-start. */
  pid?: number
  /** How often to check whether the writer is still alive. Default 250 ms. */
  checkIntervalMs?: number
  onDiagnostic?: (d: WriterDiagnostic) => void
  /** Called once the run directory is set up, with a function that stops ingesting now. */
  onStart?: (stop: () => void) => void
  /** Environment, read for THREEPIO_SIMULATE_FAULT (default process.env). */
  env?: Record<string, string | undefined>
}

/** Follows `runDir`/events.jsonl and writes the run directory; resolves with the final state. */
export async function ingestRun(runDir: string, options: IngestOptions = {}): Promise<RunState> {
  const fault = simulatedFaultFromEnv(options.env)
  const marker = join(runDir, INGEST_MARKER)
  try {
    writeFileSync(marker, String(process.pid)) // retention spares the run until we are done
  } catch {
    // retention then goes by the run's own process and the age of its files
  }
  const directory = new RunDirectory(runDir, {
    mode: 'live',
    history: 'record',
    // Events come in batches (the follower coalesces wake-ups): write each batch's logs at once.
    logFlushMs: 5,
    // Refreshes without fsync: events.jsonl, which the plugin fsyncs, is the durable record.
    durableRefresh: false,
    ...(fault ? { fs: faultyRunDirectoryFs(new FaultGate(fault)) } : {}),
    ...(options.onDiagnostic ? { onDiagnostic: options.onDiagnostic } : {}),
  })
  // Polled, not watched: the plugin appends before every test, and a watch would make each of
  // those appends queue a change event for this process (four times the cost of the append).
  // Polling every 20 ms also batches the appends into one read.
  const follower = new EventLogFollower(join(runDir, EVENTS_FILE), {
    pollIntervalMs: 20,
    watch: false,
  })
  let pid = options.pid
  const check = setInterval(() => {
    const writer = pid ?? directory.state.start?.pid
    if (writer !== undefined && !processAlive(writer)) follower.finish()
  }, options.checkIntervalMs ?? 250)
  options.onStart?.(() => follower.close())
  try {
    for await (const event of follower) {
      directory.apply(event)
      if (event.type === 'run-start' && pid === undefined) pid = event.pid
      if (event.type === 'run-end') follower.finish()
    }
  } finally {
    clearInterval(check)
    directory.finish({ skipped: follower.stats })
    handOver(marker, options.pid)
  }
  return directory.state
}

/**
 * The run stays spared from retention while the writer it was started for lives: that process
 * (pytest) still reads run.json for its closing line, and removes the marker then.
 */
function handOver(marker: string, writer: number | undefined): void {
  try {
    if (writer !== undefined && processAlive(writer)) writeFileSync(marker, String(writer))
    else rmSync(marker, { force: true })
  } catch {
    // retention then goes by the run's own process and the age of its files
  }
}
