/**
 * Retention: keep the newest runs, never deleting one that is still being written.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { EVENTS_FILE, RUN_ID_PATTERN, RUNS_DIR, SUMMARY_JSON, WORKER_MARKER } from '@threepio/core'

/** A run counts as live while its writer process is alive, or its log changed this recently. */
const LIVE_GRACE_MS = 60_000

/** Run ids under `outputDir`, oldest first. */
export function listRunIds(outputDir: string): string[] {
  let ids: string[]
  try {
    ids = readdirSync(join(outputDir, RUNS_DIR)).filter((id) => RUN_ID_PATTERN.test(id))
  } catch {
    return []
  }
  // Ids sort by start second; runs started in the same second are ordered by run-start time.
  const seconds = (id: string) => id.slice(0, 19)
  const sameSecond = new Set<string>()
  const seen = new Set<string>()
  for (const id of ids) (seen.has(seconds(id)) ? sameSecond : seen).add(seconds(id))
  const startMs = new Map<string, number>()
  for (const id of ids) {
    if (sameSecond.has(seconds(id)))
      startMs.set(id, runStartTime(join(outputDir, RUNS_DIR, id)) ?? 0)
  }
  return ids.sort((a, b) => {
    if (seconds(a) !== seconds(b)) return seconds(a) < seconds(b) ? -1 : 1
    return (startMs.get(a) ?? 0) - (startMs.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0)
  })
}

/** True when a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Clock ticks per second of /proc/<pid>/stat start times (USER_HZ: 100 on every Linux port). */
const USER_HZ = 100

/** Boot time in ms since the epoch (Linux), read once. */
let bootTimeMs: number | null | undefined
function bootTime(): number | null {
  if (bootTimeMs === undefined) {
    try {
      const line = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))
      bootTimeMs = line ? Number(line[1]) * 1000 : null
    } catch {
      bootTimeMs = null
    }
  }
  return bootTimeMs
}

/** When a process started, in ms since the epoch, where the platform tells (Linux /proc). */
export function processStartedAt(pid: number): number | undefined {
  const boot = bootTime()
  if (boot === null) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces and parentheses): starttime is 22nd.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[19])
    return Number.isFinite(ticks) ? boot + (ticks * 1000) / USER_HZ : undefined
  } catch {
    return undefined
  }
}

/** Slack for comparing a process start time with run-start.time (boot time has 1 s resolution). */
const START_SLACK_MS = 2000

/**
 * True while the process that wrote a run-start is alive: a process with its pid exists and did
 * not start after the run did (else the pid was reused by another process).
 */
export function writerAlive(pid: number, runStartTime: number | undefined): boolean {
  if (!processAlive(pid)) return false
  if (runStartTime === undefined) return true
  const started = processStartedAt(pid)
  return started === undefined || started <= runStartTime + START_SLACK_MS
}

/** The pid in the run-start line of an events.jsonl, if readable. */
export function writerPid(runDir: string): number | undefined {
  const pid = firstEvent(runDir)?.pid
  return typeof pid === 'number' ? pid : undefined
}

function runStartTime(runDir: string): number | undefined {
  const time = firstEvent(runDir)?.time
  return typeof time === 'number' ? time : undefined
}

function firstEvent(runDir: string): { pid?: unknown; time?: unknown } | undefined {
  try {
    const fd = openSync(join(runDir, EVENTS_FILE), 'r')
    const buf = Buffer.alloc(64 * 1024)
    const n = readSync(fd, buf, 0, buf.length, 0)
    closeSync(fd)
    const head = buf.subarray(0, n).toString('utf8')
    return JSON.parse(head.slice(0, head.indexOf('\n'))) as { pid?: unknown; time?: unknown }
  } catch {
    return undefined
  }
}

/**
 * `threepio ingest` marks the run directory it writes with this file (holding its pid) until it
 * is done: after the run's own process ended, and even after the summary says FAILED or PASSED,
 * it may still be finishing the logs. Then it hands the marker to the writer it was started for
 * (the pytest process), which removes it once it has read the summary for its closing line.
 */
export const INGEST_MARKER = WORKER_MARKER

/**
 * True while a run may still be written: a live `threepio ingest` on it, or no final summary and
 * a live writer (its pid, started before the run), or recent writes when run-start is unreadable.
 */
export function isRunLive(runDir: string, now = Date.now()): boolean {
  try {
    const ingester = Number(readFileSync(join(runDir, INGEST_MARKER), 'utf8'))
    if (Number.isInteger(ingester) && ingester > 0 && processAlive(ingester)) return true
  } catch {
    // no log writer of its own
  }
  try {
    const status = (
      JSON.parse(readFileSync(join(runDir, SUMMARY_JSON), 'utf8')) as { status?: string }
    ).status
    if (status && status !== 'RUNNING') return false
  } catch {
    // no summary yet: the run may have just started
  }
  const pid = writerPid(runDir)
  // The writer's pid and start time settle it: a dead writer never finishes the run.
  if (pid !== undefined) return writerAlive(pid, runStartTime(runDir))
  try {
    return now - statSync(join(runDir, EVENTS_FILE)).mtimeMs < LIVE_GRACE_MS
  } catch {
    try {
      return now - statSync(runDir).mtimeMs < LIVE_GRACE_MS
    } catch {
      return false
    }
  }
}

/**
 * Deletes the oldest runs so that `keep` remain (0 keeps all), sparing live runs and `protect`.
 * Returns the ids deleted. Never throws.
 */
export function pruneRuns(
  outputDir: string,
  keep: number,
  protect: readonly string[] = [],
): string[] {
  if (!(keep > 0)) return []
  const ids = listRunIds(outputDir)
  const deleted: string[] = []
  const excess = ids.length - keep
  for (const id of ids.slice(0, Math.max(0, excess))) {
    const runDir = join(outputDir, RUNS_DIR, id)
    if (protect.includes(id) || isRunLive(runDir)) continue
    try {
      rmSync(runDir, { recursive: true, force: true })
      deleted.push(id)
    } catch {
      // another process may be deleting it too
    }
  }
  return deleted
}
