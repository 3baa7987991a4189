import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export const CHILD = join(import.meta.dirname, 'child-run.mjs')

export interface Child {
  proc: ChildProcess
  /** The run directory the child announced (recorder mode). */
  runDir: Promise<string>
  /** Resolves once the child reported at least `n` finished files (or rejects when it exits first). */
  progress(n: number): Promise<void>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
}

/** Starts the synthetic test process; `shell` wraps it (e.g. to set ulimit). */
export function startChild(args: string[], options: { shell?: string } = {}): Child {
  const proc = options.shell
    ? spawn(
        'bash',
        ['-c', `${options.shell} && exec "$0" "$@"`, process.execPath, CHILD, ...args],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
    : spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  proc.stderr!.on('data', (d) => (stderr += d))
  let done = 0
  const waiters: Array<{ n: number; resolve: () => void; reject: (e: Error) => void }> = []
  let resolveRunDir: (dir: string) => void
  const runDir = new Promise<string>((r) => (resolveRunDir = r))
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (line.startsWith('run ')) resolveRunDir(line.slice(4))
    if (line.startsWith('progress ')) {
      done = Number(line.slice(9))
      for (const w of waiters.filter((w) => w.n <= done)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
  })
  const exited = new Promise<{
    code: number | null
    signal: NodeJS.Signals | null
    stderr: string
  }>((resolve) =>
    proc.on('close', (code, signal) => {
      for (const w of waiters.splice(0))
        w.reject(new Error(`child exited (${code ?? signal}) after ${done} files: ${stderr}`))
      resolve({ code, signal, stderr })
    }),
  )
  return {
    proc,
    runDir,
    exited,
    progress: (n) =>
      done >= n
        ? Promise.resolve()
        : new Promise((resolve, reject) => waiters.push({ n, resolve, reject })),
  }
}
