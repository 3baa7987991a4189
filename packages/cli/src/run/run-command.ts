/**
 * `threepio run [--dir <dir>] -- <command...>`: runs the command as it is, in a session that
 * records every Jest, Vitest and pytest run it starts (environment.ts), keeps its terminal output
 * in the session's output.log, and ends with the session's closing line and the command's own
 * exit status (or signal).
 */
import { spawn } from 'node:child_process'
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { createRunId, SESSION_LOG, SESSIONS_DIR, writeGitignore } from '@threepio/core'
import {
  listSessionIds,
  writerAlive,
  readSession,
  sessionClosingLine,
  sessionRuns,
  sessionStatus,
  writeSession,
  type SessionJson,
} from '@threepio/log-writer'
import type { CliIo } from '../io.js'
import { findLent, sessionEnvironment } from './environment.js'

/** Sessions kept in an output directory; older ones (not running) go when a session starts. */
export const KEEP_SESSIONS = 30
/** output.log keeps this much of the command's output; the rest is in the terminal (and runs' logs). */
export const MAX_SESSION_LOG_BYTES = 64 * 1024 * 1024

/** Signals the terminal sends to the whole foreground group: the command has them already. */
const FROM_TERMINAL = ['SIGINT', 'SIGQUIT'] as const
/** Signals sent to threepio alone: passed on to the command. */
const PASSED_ON = ['SIGTERM', 'SIGHUP'] as const

export async function runCommand(command: string[], outputDir: string, io: CliIo): Promise<number> {
  const sessionId = createRunId()
  const dir = join(outputDir, SESSIONS_DIR, sessionId)
  mkdirSync(dir, { recursive: true })
  writeGitignore(outputDir)
  pruneSessions(outputDir, sessionId)
  const captured = (['stdout', 'stderr'] as const).filter((s) => !process[s].isTTY)
  const started = Date.now()
  const json: SessionJson = {
    sessionId,
    status: 'RUNNING',
    command,
    cwd: io.cwd,
    pid: process.pid,
    startedAt: new Date(started).toISOString(),
    endedAt: null,
    durationMs: null,
    exitCode: null,
    signal: null,
    captured: [...captured],
    runs: [],
  }
  writeSession(dir, json)
  const env = sessionEnvironment(io.env, dir, findLent(io.env))
  const { exitCode, signal } = await runTeed(command, env, io.cwd, join(dir, SESSION_LOG), io)
  json.runs = sessionRuns(dir)
  json.exitCode = exitCode
  json.signal = signal
  json.endedAt = new Date().toISOString()
  json.durationMs = Date.now() - started
  json.status = sessionStatus(json.runs, exitCode, signal)
  writeSession(dir, json)
  io.err(sessionClosingLine(json, dir, io.cwd) + '\n')
  if (signal) {
    // Ended as the command ended: by the same signal, as a shell sees it.
    process.kill(process.pid, signal)
    return 128
  }
  return exitCode ?? 1
}

interface Exit {
  exitCode: number | null
  signal: NodeJS.Signals | null
}

/** Runs the command with its output going where ours goes, and into `logFile`. */
function runTeed(
  command: string[],
  env: Record<string, string | undefined>,
  cwd: string,
  logFile: string,
  io: CliIo,
): Promise<Exit> {
  const log = new SessionLog(logFile)
  const piped = (s: 'stdout' | 'stderr') => (process[s].isTTY ? 'inherit' : 'pipe')
  const child = spawn(command[0]!, command.slice(1), {
    cwd,
    env,
    stdio: ['inherit', piped('stdout'), piped('stderr')],
  })
  const ignore = () => {}
  const passOn = (signal: NodeJS.Signals) => child.kill(signal)
  for (const s of FROM_TERMINAL) process.on(s, ignore)
  for (const s of PASSED_ON) process.on(s, passOn)
  tee(child.stdout, process.stdout, log)
  tee(child.stderr, process.stderr, log)
  return new Promise((resolve) => {
    const done = (exit: Exit) => {
      for (const s of FROM_TERMINAL) process.off(s, ignore)
      for (const s of PASSED_ON) process.off(s, passOn)
      log.close()
      resolve(exit)
    }
    child.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'not found (is it on PATH?)' : err.message
      const text = `threepio: could not start ${command[0]}: ${why}\n`
      log.write(Buffer.from(text))
      io.err(text)
      done({ exitCode: err.code === 'ENOENT' ? 127 : 126, signal: null })
    })
    child.on('close', (exitCode, signal) => done({ exitCode, signal }))
  })
}

function tee(from: Readable | null, to: Writable, log: SessionLog): void {
  from?.on('data', (chunk: Buffer) => {
    to.write(chunk)
    log.write(chunk)
  })
}

/** output.log: written as the output comes (a killed session keeps what it had), bounded. */
class SessionLog {
  private fd: number | undefined
  private bytes = 0

  constructor(file: string) {
    try {
      this.fd = openSync(file, 'a')
    } catch {
      this.fd = undefined // no log: the command runs all the same
    }
  }

  write(chunk: Buffer): void {
    if (this.fd === undefined || this.bytes > MAX_SESSION_LOG_BYTES) return
    this.bytes += chunk.length
    try {
      writeSync(this.fd, chunk)
      if (this.bytes > MAX_SESSION_LOG_BYTES)
        writeSync(
          this.fd,
          `\n[threepio: output.log ends here, at ${MAX_SESSION_LOG_BYTES} bytes]\n`,
        )
    } catch {
      this.close()
    }
  }

  close(): void {
    if (this.fd === undefined) return
    try {
      fsyncSync(this.fd)
      closeSync(this.fd)
    } catch {
      // nothing more to keep
    }
    this.fd = undefined
  }
}

/** Keeps the newest {@link KEEP_SESSIONS} sessions and any still running. */
function pruneSessions(outputDir: string, current: string): void {
  const ids = listSessionIds(outputDir).filter((id) => id !== current)
  for (const id of ids.slice(0, Math.max(0, ids.length - (KEEP_SESSIONS - 1)))) {
    const dir = join(outputDir, SESSIONS_DIR, id)
    const s = readSession(dir)
    if (s?.status === 'RUNNING' && writerAlive(s.pid, Date.parse(s.startedAt))) continue
    rmSync(dir, { recursive: true, force: true })
  }
}
