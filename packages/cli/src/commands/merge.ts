/**
 * `threepio merge`: the run directories of the shards of one suite (Jest `--shard`, Vitest
 * `--shard`, pytest jobs over parts of it) made into one run. Its events.jsonl holds one
 * run-start naming the shards, every other event of each shard in shard order, renumbered and
 * tagged with its shard, and one run-end; logs, test-run.md and run.json are written from it
 * as for any run, so its counts are the counts of the whole suite.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createRunDirectory,
  describeFsError,
  SUMMARY_MD,
  decodeEvents,
  EVENTS_FILE,
  EventLogWriter,
  SCHEMA_VERSION,
  skippedLines,
  writeLatest,
  type Event,
  type EventInput,
  type RunEndEvent,
  type RunStartEvent,
  type RunStatus,
} from '@threepio/core'
import {
  rebuildRun,
  statusLabel,
  summaryJson,
  warningText,
  type RebuildResult,
} from '@threepio/log-writer'
import { CommandError, paintStatus, type CliIo } from '../io.js'

export interface Shard {
  runDir: string
  start: RunStartEvent
  end?: RunEndEvent
  events: Event[]
  /** Lines of its events.jsonl that could not be read. */
  skipped: number
}

/** Reads a shard's run directory. Throws with a message naming it when it is not a run. */
export function readShard(runDir: string): Shard {
  let bytes: Buffer
  try {
    bytes = readFileSync(join(runDir, EVENTS_FILE))
  } catch {
    throw new Error(`${runDir} is not a run directory: it has no ${EVENTS_FILE}`)
  }
  const { events, stats } = decodeEvents(bytes)
  const start = events.find((e): e is RunStartEvent => e.type === 'run-start')
  if (!start) throw new Error(`${join(runDir, EVENTS_FILE)} has no run-start: not a run to merge`)
  const end = events.findLast((e): e is RunEndEvent => e.type === 'run-end')
  return {
    runDir,
    start,
    ...(end ? { end } : {}),
    events,
    skipped: skippedLines(stats),
  }
}

/** Interrupted beats failed beats error beats passed: the merged run is as bad as its worst. */
const SEVERITY: RunStatus[] = ['passed', 'error', 'failed', 'interrupted']

/** Merges shards into a new run under `outputDir`; returns its directory and rebuild result. */
export function mergeRuns(
  shards: Shard[],
  outputDir: string,
  argv: string[],
): { runDir: string; runId: string } & RebuildResult {
  if (shards.length === 0) throw new Error('nothing to merge')
  const runners = new Set(shards.map((s) => s.start.runner.name))
  if (runners.size > 1)
    throw new Error(
      `the shards ran different frameworks (${[...runners].join(', ')}): merge the shards of one suite`,
    )
  const first = shards[0]!.start
  const startTime = Math.min(...shards.map((s) => s.start.time))
  const paths = createRunDirectory(outputDir, new Date(startTime))
  const writer = EventLogWriter.open(paths.events)
  const start: EventInput = {
    type: 'run-start',
    time: startTime,
    schema: SCHEMA_VERSION,
    runId: paths.runId,
    runner: first.runner,
    reporter: first.reporter,
    rootDir: first.rootDir,
    cwd: process.cwd(),
    argv,
    pid: process.pid,
    shards: shards.map((s) => ({ runId: s.start.runId, runDir: s.runDir, argv: s.start.argv })),
  }
  writer.emit(start)
  let endTime = startTime
  let status: RunStatus = 'passed'
  const reasons: string[] = []
  shards.forEach((s, i) => {
    const shard = i + 1
    for (const e of s.events) {
      if (e.type === 'run-start' || e.type === 'run-end') continue
      const { seq: _seq, ...rest } = e
      writer.emit({ ...rest, shard } as EventInput)
    }
    const end = s.end
    const last = s.events.at(-1)?.time ?? s.start.time
    endTime = Math.max(endTime, end ? s.start.time + end.durationMs : last)
    const shardStatus: RunStatus = end ? end.status : 'interrupted'
    if (SEVERITY.indexOf(shardStatus) > SEVERITY.indexOf(status)) status = shardStatus
    if (!end) reasons.push(`shard ${shard} (${s.start.runId}) never ended`)
    else if (end.reason) reasons.push(`shard ${shard}: ${end.reason}`)
  })
  writer.emit({
    type: 'run-end',
    status,
    durationMs: Math.max(0, endTime - startTime),
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
  })
  writer.closeSync()
  const result = rebuildRun(paths.runDir, undefined, 'record')
  writeLatest(outputDir, paths.runId)
  return { runDir: paths.runDir, runId: paths.runId, ...result }
}

export function merge(runDirs: string[], outputDir: string, io: CliIo): number {
  let shards: Shard[]
  try {
    shards = runDirs.map(readShard)
  } catch (err) {
    throw new CommandError((err as Error).message)
  }
  for (const s of shards)
    if (s.skipped)
      io.err(warningText(`${s.runDir}: ${s.skipped} unreadable line(s) of events.jsonl skipped`))
  let merged: ReturnType<typeof mergeRuns>
  try {
    merged = mergeRuns(shards, outputDir, ['threepio', 'merge', ...runDirs])
  } catch (err) {
    throw new CommandError(`could not merge: ${describeFsError(err)}`)
  }
  const json = summaryJson(merged.state)
  io.out(
    `${paintStatus(io, statusLabel(json.status, json.watch))} · ${json.headline} · ${shards.length} shards · ${join(merged.runDir, SUMMARY_MD)}\n`,
  )
  return 0
}
