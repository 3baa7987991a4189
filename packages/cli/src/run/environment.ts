/**
 * What a session lends the processes of its command, through the environment they inherit
 * (docs/design.md, "Sessions"): nothing is written into the project or installed into its
 * virtualenv.
 *
 * - Node.js: `NODE_OPTIONS=--import <preload>` hooks Jest and Vitest in every process that runs
 *   them (preload.ts).
 * - pytest: `PYTHONPATH` gains a folder holding only the pytest_threepio package (linked from the
 *   session folder), and `PYTEST_PLUGINS` names its session plugin.
 * - Every run: THREEPIO_SESSION names the session folder, which runs join as they start.
 * - tox 4 passes its commands only the variables its `pass_env` names: `TOX_OVERRIDE` (tox 4.11
 *   and later) adds these, unless the user sets TOX_OVERRIDE already.
 */
import { cpSync, existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SESSION_ENV, SESSION_PYTHON_DIR } from '@threepio/core'
import { progName } from '@threepio/log-writer'

/** Where the lent pieces are: absent ones are not lent (the command's bundled copy has no preload). */
export interface Lent {
  /** file: URL of preload.js. */
  preload?: string
  /** The pytest_threepio package folder. */
  python?: string
  /** The `threepio` script, for the pytest plugin's log writer. */
  logWriter?: string
}

/** The pieces beside this module (the npm package's dist/), or named by the environment. */
export function findLent(env: Record<string, string | undefined>): Lent {
  const here: string | undefined = typeof import.meta.url === 'string' ? import.meta.url : undefined
  const beside = (name: string) => {
    if (!here) return undefined
    const url = new URL(name, here)
    return existsSync(url) ? url : undefined
  }
  const python = env.THREEPIO_PYTHON_PACKAGE ?? beside('python/pytest_threepio')
  // This command's own script (the package's bin, or the bundle the wheel runs).
  const script = beside('../bin/threepio.js') ?? process.argv[1]
  const preload = beside('preload.js')
  return {
    ...(preload ? { preload: preload.href } : {}),
    ...(python ? { python: typeof python === 'string' ? python : fileURLToPath(python) } : {}),
    ...(script && existsSync(script) ? { logWriter: realpathSync(script) } : {}),
  }
}

/** What tox must pass on for its commands to be recorded (tox's `pass_env` takes globs). */
const PASSED_THROUGH_TOX = ['THREEPIO_*', 'NODE_OPTIONS', 'PYTHONPATH', 'PYTEST_PLUGINS']

/** The command's environment: the user's own, with what the session lends added in front. */
export function sessionEnvironment(
  base: Record<string, string | undefined>,
  sessionDir: string,
  lent: Lent,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base, [SESSION_ENV.dir]: sessionDir }
  const before = (name: string, value: string, sep: string) =>
    (env[name] = base[name] ? `${value}${sep}${base[name]}` : value)
  if (lent.preload) before('NODE_OPTIONS', `--import=${lent.preload}`, ' ')
  env.TOX_OVERRIDE ??= `testenv.pass_env+=${PASSED_THROUGH_TOX.join(',')}`
  // Hints name this command as the user ran it: the project may have no threepio of its own.
  env.THREEPIO_PROG ??= progName(base)
  if (lent.python) {
    before('PYTHONPATH', lendPython(sessionDir, lent.python), delimiter)
    before('PYTEST_PLUGINS', 'pytest_threepio.session_plugin', ',')
    if (lent.logWriter) env[SESSION_ENV.logWriter] = lent.logWriter
    // The plugin's log writer runs on this Node.js unless the user chose one.
    env.THREEPIO_NODE ??= process.execPath
  }
  return env
}

/** A folder in the session holding only pytest_threepio (a link, else a copy); its path. */
function lendPython(sessionDir: string, pkg: string): string {
  const dir = join(sessionDir, SESSION_PYTHON_DIR)
  mkdirSync(dir, { recursive: true })
  const target = join(dir, 'pytest_threepio')
  try {
    symlinkSync(pkg, target, 'dir')
  } catch {
    cpSync(pkg, target, { recursive: true })
  }
  return dir
}
