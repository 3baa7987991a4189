/**
 * A `threepio run` session's record (docs/design.md, "Sessions"): session.json and summary.md,
 * written when the session starts (RUNNING) and again when its command ends, from the list of
 * runs that joined it (core's joinSession) and each run's own run.json.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import {
  RUN_ID_PATTERN,
  SESSION_JSON,
  SESSION_LOG,
  SESSION_MD,
  SESSION_RUNS,
  SESSIONS_DIR,
  SUMMARY_JSON,
  SUMMARY_MD,
  writeFileAtomicSync,
} from '@threepio/core'
import { formatDuration } from '../run-model/log-format.js'
import { code, href } from '../run-model/markdown.js'
import { plural } from '../run-model/run-json.js'
import { isRunLive } from '../run-directory/retention.js'

export type SessionStatus = 'RUNNING' | 'PASSED' | 'FAILED' | 'INTERRUPTED' | 'INCOMPLETE'

/** One run of a session, as its run.json tells it (status INCOMPLETE where it has none). */
export interface SessionRun {
  runDir: string
  runId: string
  status: string
  runner: string | null
  headline: string | null
}

export interface SessionJson {
  sessionId: string
  status: SessionStatus
  command: string[]
  cwd: string
  pid: number
  startedAt: string
  endedAt: string | null
  durationMs: number | null
  exitCode: number | null
  signal: string | null
  /** Which of the command's streams output.log holds (a terminal is left to the command). */
  captured: Array<'stdout' | 'stderr'>
  runs: SessionRun[]
}

/** The sessions under `outputDir`, oldest first. */
export function listSessionIds(outputDir: string): string[] {
  try {
    return readdirSync(join(outputDir, SESSIONS_DIR))
      .filter((id) => RUN_ID_PATTERN.test(id))
      .sort()
  } catch {
    return []
  }
}

export function readSession(sessionDir: string): SessionJson | undefined {
  try {
    return JSON.parse(readFileSync(join(sessionDir, SESSION_JSON), 'utf8')) as SessionJson
  } catch {
    return undefined
  }
}

/** The runs that joined the session, in the order they started, each read from its run.json. */
export function sessionRuns(sessionDir: string): SessionRun[] {
  let lines: string[] = []
  try {
    lines = readFileSync(join(sessionDir, SESSION_RUNS), 'utf8').split('\n')
  } catch {
    return []
  }
  return [...new Set(lines.filter(Boolean))].map(runOf)
}

function runOf(runDir: string): SessionRun {
  let json: Record<string, unknown> | undefined
  try {
    json = JSON.parse(readFileSync(join(runDir, SUMMARY_JSON), 'utf8')) as Record<string, unknown>
  } catch {
    json = undefined
  }
  const runner = json?.runner as { name: string; version: string } | null | undefined
  let status = (json?.status as string | undefined) ?? 'INCOMPLETE'
  if (status === 'RUNNING' && !isRunLive(runDir)) status = 'INCOMPLETE'
  return {
    runDir,
    runId: runDir.split(/[\\/]/).pop() ?? runDir,
    status,
    runner: runner ? `${runner.name} ${runner.version}` : null,
    headline: (json?.headline as string | undefined) ?? null,
  }
}

/** The session's status: its runs' and its command's, the worse. */
export function sessionStatus(runs: SessionRun[], exitCode: number | null, signal: string | null) {
  if (signal || runs.some((r) => r.status === 'INTERRUPTED')) return 'INTERRUPTED'
  const runsPassed = runs.every((r) => r.status === 'PASSED')
  return exitCode === 0 && runsPassed ? 'PASSED' : 'FAILED'
}

/** Writes session.json and summary.md (each replaced whole). Throws on a file system error. */
export function writeSession(sessionDir: string, json: SessionJson): void {
  writeFileAtomicSync(join(sessionDir, SESSION_JSON), JSON.stringify(json, null, 2) + '\n')
  writeFileAtomicSync(join(sessionDir, SESSION_MD), sessionMarkdown(json, sessionDir))
}

/** `2 passed, 1 failed` over the runs' statuses, in the order they first appear. */
export function runTally(runs: SessionRun[]): string {
  const counts = new Map<string, number>()
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1)
  return [...counts].map(([status, n]) => `${n} ${status.toLowerCase()}`).join(', ')
}

function exitText(json: SessionJson): string {
  if (json.signal) return `ended by ${json.signal}`
  return json.exitCode === null ? 'still running' : `exit status ${json.exitCode}`
}

/** What the runs were: `3 runs: 2 passed, 1 failed`, or that none was seen. */
function runsText(runs: SessionRun[]): string {
  return runs.length
    ? `${plural(runs.length, 'run')}: ${runTally(runs)}`
    : 'no Jest, Vitest or pytest run was seen'
}

export function sessionMarkdown(json: SessionJson, sessionDir: string): string {
  const took = json.durationMs === null ? '' : ` · ${formatDuration(json.durationMs)}`
  const out = [
    `# threepio session: ${json.status}`,
    '',
    `${code(json.command.join(' '))} · ${exitText(json)} · ${runsText(json.runs)}${took}`,
    '',
  ]
  if (json.runs.length) {
    out.push('| Status | Runner | Tests | Run |', '|---|---|---|---|')
    for (const r of json.runs) {
      const md = relative(sessionDir, join(r.runDir, SUMMARY_MD)).split(/[\\/]/).join('/')
      const where = relative(json.cwd, r.runDir) || '.'
      out.push(
        `| ${r.status} | ${r.runner ?? ''} | ${(r.headline ?? '').replace(/\|/g, '\\|')} | [${code(where)}](${href(md)}) |`,
      )
    }
    out.push('')
  }
  const missing = (['stdout', 'stderr'] as const).filter((s) => !json.captured.includes(s))
  out.push(
    `The command's output: [${SESSION_LOG}](${SESSION_LOG})` +
      (missing.length
        ? ` (without its ${missing.join(' and ')}: a terminal, left to the command as it is)`
        : ''),
    '',
  )
  return out.join('\n')
}

/** `threepio: 3 runs: 2 passed, 1 failed · exit status 1 · .3pio/sessions/<id>/summary.md` */
export function sessionClosingLine(json: SessionJson, sessionDir: string, cwd: string): string {
  const file = join(sessionDir, json.runs.length ? SESSION_MD : SESSION_LOG)
  const rel = relative(cwd, file)
  return `threepio: ${runsText(json.runs)} · ${exitText(json)} · ${rel && !rel.startsWith('..') ? rel : file}`
}
