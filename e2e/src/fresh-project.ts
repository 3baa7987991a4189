/**
 * For tests in fresh projects: a user's shell environment, a project in git, installs from the
 * registry as of a fixed moment, and the lines a person sees.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { tempDir } from './helpers.js'

/**
 * The environment of a user's shell with `node` first on PATH (Vitest 5 projects run Node 24),
 * and none of this test run's package-manager variables.
 */
export function cleanEnv(node: string = process.execPath): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      // nx sets FORCE_COLOR (and NX_*) for its tasks; no user's shell has them.
      ([k]) =>
        !/^(npm_|pnpm_|PNPM_|VITEST|NX_|NODE_OPTIONS$|FORCE_COLOR$|THREEPIO_|GITHUB_)/.test(k),
    ),
  )
  return { ...env, PATH: `${dirname(node)}${delimiter}${env.PATH ?? ''}` }
}

/**
 * The lines a person sees, in order-free form (Jest prints files as its workers finish them):
 * durations, clock times and pids evened out (nox's and tox's too), threepio's closing lines
 * taken out and returned.
 */
export function seen(text: string): { lines: string[]; closing: string[] } {
  const lines = text
    .split('\n')
    .map((l) =>
      l
        .replace(/\d\d:\d\d:\d\d/g, 'HH:MM:SS')
        .replace(/\bpid=\d+/g, 'pid=N') // tox names each command's process
        .replace(/[\d.]+=setup\[[\d.]+\]\+cmd\[[\d.]+\]/g, 'N=setup[N]+cmd[N]') // tox's timing
        .replace(/\d+(\.\d+)?\s*(ms|s|seconds?)\b/g, 'N ms')
        .replace(/, estimated N ms$/, '') // Jest, once it has timings from a previous run
        .replace(/^(\s*Duration\s+).*/, '$1…') // Vitest's breakdown of the run's time
        .trimEnd(),
    )
    .filter((l) => l !== '')
    // Vitest 5's hint when workers start slowly: a matter of the machine's load at the time.
    .filter((l) => !/^\s*Isolate\s|faster with isolate: false/.test(l))
  // pnpm -r prefixes each package's lines with the package and script: `packages/a test: `.
  const closing = (l: string) => /^(\S+ \S+: )?threepio: /.test(l)
  return {
    lines: lines.filter((l) => !closing(l)).sort(),
    closing: lines.filter(closing),
  }
}

/** A git repository holding `files`, everything committed (node_modules ignored). */
export function gitProject(files: Record<string, string>): string {
  const dir = tempDir('threepio-project-')
  for (const [name, text] of Object.entries({ '.gitignore': 'node_modules/\n', ...files })) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' })
  git('init', '-q')
  git('add', '-A')
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'project')
  return dir
}

/** A package.json's text. */
export const packageJson = (
  name: string,
  scripts: Record<string, string>,
  devDependencies: Record<string, string> = {},
) => JSON.stringify({ name, private: true, scripts, devDependencies }, null, 2)

/**
 * npm's or pnpm's install, reading the registry as of `resolvedAt` (npm's `--before`, pnpm's
 * `minimum-release-age`), as a lockfile would pin it.
 */
export function installArgs(pm: 'npm' | 'pnpm', resolvedAt: string): string[] {
  const minutes = Math.ceil((Date.now() - Date.parse(resolvedAt)) / 60_000)
  return pm === 'npm'
    ? ['install', '--no-audit', '--no-fund', '--loglevel=error', `--before=${resolvedAt}`]
    : ['install', '--loglevel=error', `--config.minimum-release-age=${minutes}`]
}
