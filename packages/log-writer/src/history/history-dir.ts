/**
 * The history directory, `<outputDir>/history/`:
 *
 *     runs/<runId>.json.gz   one record per run (run-record.ts), written once, atomically
 *     names/<digest>.json    the test names of one file, once per distinct list
 *
 * Concurrent runs never write the same record, and a name list is the same bytes whoever writes
 * it, so no lock is needed: every file appears whole (a temporary file renamed into place). A
 * reader skips what it cannot read; the history is rebuilt from run directories (record-run.ts).
 */
import {
  linkSync,
  mkdirSync,
  utimesSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { HISTORY_DIR, RUN_ID_PATTERN } from '@threepio/core'
import { RECORD_VERSION, type RunRecord } from './run-record.js'

/** Runs the history keeps; the oldest go once there are {@link PRUNE_SLACK} more. */
export const HISTORY_RUNS = 100
const PRUNE_SLACK = 10
/** A name list younger than this is kept even when no record names it (a run writing now). */
const NAMES_GRACE_MS = 60 * 60 * 1000

const RECORD_SUFFIX = '.json.gz'

export const historyDirOf = (outputDir: string) => join(outputDir, HISTORY_DIR)
const runsDir = (dir: string) => join(dir, 'runs')
const namesDir = (dir: string) => join(dir, 'names')

/**
 * Writes a whole file: a temporary file moved into place. With `keep`, a file already there
 * stays (linked, not renamed, so that the move fails rather than replaces).
 */
function writeWhole(path: string, data: string | Buffer, keep = false): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, data)
  if (!keep) return renameSync(tmp, path)
  try {
    linkSync(tmp, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  } finally {
    rmSync(tmp, { force: true })
  }
}

/**
 * Writes a run's record, after the name lists it refers to. A record rebuilt from a run
 * directory (`rebuilt`) never replaces one the run wrote itself. Throws on I/O errors.
 */
export function writeRecord(
  dir: string,
  record: RunRecord,
  names: ReadonlyMap<string, string>,
  rebuilt = false,
): void {
  mkdirSync(runsDir(dir), { recursive: true })
  mkdirSync(namesDir(dir), { recursive: true })
  const now = new Date()
  for (const [digest, list] of names) {
    const path = join(namesDir(dir), `${digest}.json`)
    try {
      // Still in use: pruning by another run spares it (see NAMES_GRACE_MS).
      utimesSync(path, now, now)
    } catch {
      writeWhole(path, list)
    }
  }
  writeWhole(join(runsDir(dir), fileName(record)), gzipSync(JSON.stringify(record)), rebuilt)
}

/** A record's file name: start time first, so that names sort as the runs started. */
const fileName = (r: { time: number; runId: string }) =>
  `${String(Math.max(0, Math.round(r.time))).padStart(15, '0')}_${r.runId}${RECORD_SUFFIX}`

/** A record as listed: its run id and start time. */
export interface RecordEntry {
  runId: string
  time: number
}

/** A record's size on disk in bytes, 0 where it is gone. */
export function recordBytes(dir: string, entry: RecordEntry): number {
  try {
    return statSync(join(runsDir(dir), fileName(entry))).size
  } catch {
    return 0
  }
}

/** The records, newest first. */
export function listRecords(dir: string): RecordEntry[] {
  let entries: string[]
  try {
    entries = readdirSync(runsDir(dir))
  } catch {
    return []
  }
  const out: RecordEntry[] = []
  for (const name of entries) {
    const m = /^(\d{15})_(.+)\.json\.gz$/.exec(name)
    if (m && RUN_ID_PATTERN.test(m[2]!)) out.push({ time: Number(m[1]), runId: m[2]! })
  }
  return out.sort((a, b) => b.time - a.time || (a.runId < b.runId ? 1 : -1))
}

/** A run's record; undefined when it is missing or damaged. */
export function readRecord(dir: string, entry: RecordEntry): RunRecord | undefined {
  try {
    const record = JSON.parse(
      gunzipSync(readFileSync(join(runsDir(dir), fileName(entry)))).toString('utf8'),
    ) as RunRecord
    if (record.version !== RECORD_VERSION || !Array.isArray(record.files)) return undefined
    return record
  } catch {
    return undefined
  }
}

/** Removes a record (a damaged one, before it is rebuilt). */
export function removeRecord(dir: string, entry: RecordEntry): void {
  rmSync(join(runsDir(dir), fileName(entry)), { force: true })
}

/** The test names a digest stands for; undefined when the list is missing or damaged. */
export function readNames(dir: string, digest: string): string[] | undefined {
  try {
    const names = JSON.parse(readFileSync(join(namesDir(dir), `${digest}.json`), 'utf8'))
    return Array.isArray(names) ? (names as string[]) : undefined
  } catch {
    return undefined
  }
}

/**
 * Keeps the newest {@link HISTORY_RUNS} records: once there are {@link PRUNE_SLACK} more, the
 * oldest go, and with them the name lists no kept record refers to.
 */
export function pruneHistory(dir: string, keep = HISTORY_RUNS, now = Date.now()): void {
  const ids = listRecords(dir)
  if (ids.length <= keep + PRUNE_SLACK) return
  for (const entry of ids.slice(keep)) removeRecord(dir, entry)
  const used = new Set<string>()
  for (const entry of ids.slice(0, keep))
    for (const f of readRecord(dir, entry)?.files ?? []) used.add(f.names)
  for (const name of readdirSync(namesDir(dir))) {
    const path = join(namesDir(dir), name)
    try {
      if (!used.has(name.replace(/\.json$/, '')) && now - statSync(path).mtimeMs > NAMES_GRACE_MS)
        rmSync(path, { force: true })
    } catch {
      // gone already: another run pruned it
    }
  }
}
