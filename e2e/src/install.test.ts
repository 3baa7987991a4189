/**
 * The packages as users install them: packed tarballs (no workspace links) installed with npm,
 * pnpm and yarn into fresh Jest 29/30 and Vitest 3/4/5 projects. In each, the framework runs
 * with and without threepio and prints the same lines, apart from threepio's closing line; the
 * `threepio` command that comes with the reporter lists, shows and rebuilds the run.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readLatest } from '@threepio/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, installArgs, seen } from './fresh-project.js'
import { NODE24, ROOT, spawnToEnd, tempDir } from './helpers.js'

const YARN = join(import.meta.dirname, '../node_modules/yarn/bin/yarn.js')
const PACKAGES = ['core', 'log-writer', 'cli', 'jest-reporter', 'vitest-reporter']

type Pm = 'npm' | 'pnpm' | 'yarn'
interface Runner {
  name: string
  framework: 'jest' | 'vitest'
  range: string
  node: string
}
const RUNNERS: Runner[] = [
  { name: 'Jest 29', framework: 'jest', range: '^29.7.0', node: process.execPath },
  { name: 'Jest 30', framework: 'jest', range: '^30.0.0', node: process.execPath },
  { name: 'Vitest 3', framework: 'vitest', range: '^3.2.4', node: process.execPath },
  { name: 'Vitest 4', framework: 'vitest', range: '^4.0.0', node: process.execPath },
  { name: 'Vitest 5', framework: 'vitest', range: '^5.0.0', node: NODE24 },
]

let tarballs: Record<string, string> = {}
/** The registry as of this moment (scripts/packed.mjs), as a lockfile would pin it. */
let resolvedAt = ''

beforeAll(async () => {
  const packed = (await import(join(ROOT, 'scripts/packed.mjs'))) as {
    packPackages: (dest: string) => Record<string, string>
    RESOLVED_AT: string
  }
  const { packPackages } = packed
  resolvedAt = packed.RESOLVED_AT
  tarballs = Object.fromEntries(
    Object.entries(packPackages(tempDir('threepio-packed-'))).map(([name, tgz]) => [
      name,
      `file:${tgz}`,
    ]),
  )
  expect(Object.keys(tarballs).sort()).toEqual(PACKAGES.map((p) => `@threepio/${p}`).sort())
})

/** The same few files in every project: a pass with console output, a failure, raw writes. */
function writeProject(dir: string, pm: Pm, runner: Runner): void {
  const reporter = `@threepio/${runner.framework}-reporter`
  // The reporter's own dependencies come from the tarballs too, as the registry would give them
  // (the command, @threepio/cli, depends on both reporters).
  const pinned = Object.fromEntries(
    PACKAGES.map((p) => [`@threepio/${p}`, tarballs[`@threepio/${p}`]!]),
  )
  const pkg: Record<string, unknown> = {
    name: `fresh-${pm}-${runner.framework}`,
    private: true,
    ...(runner.framework === 'vitest' ? { type: 'module' } : {}),
    devDependencies: {
      [reporter]: tarballs[reporter],
      [runner.framework]: runner.range,
      // Vitest 5 has Vite as a peer, which yarn 1 does not install by itself.
      ...(runner.range === '^5.0.0' ? { vite: '^7.0.0' } : {}),
    },
    ...(pm === 'npm' ? { overrides: pinned } : {}),
    ...(pm === 'pnpm' ? { pnpm: { overrides: pinned } } : {}),
    ...(pm === 'yarn' ? { resolutions: pinned } : {}),
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2))
  const imports = runner.framework === 'vitest' ? `import { test, expect } from 'vitest'\n` : ''
  mkdirSync(join(dir, 'test'))
  writeFileSync(
    join(dir, 'test/a.test.js'),
    `${imports}test('passes and logs', () => {\n  console.log('log from a')\n  expect(1).toBe(1)\n})\ntest('fails', () => {\n  expect({ a: 1 }).toEqual({ a: 2 })\n})\n`,
  )
  writeFileSync(
    join(dir, 'test/b.test.js'),
    `${imports}test('writes', () => {\n  process.stderr.write('raw stderr from b\\n')\n  console.error('console.error from b')\n})\n`,
  )
  writeFileSync(join(dir, 'test/c.test.js'), `throw new Error('c cannot load')\n`)
  // Options a user could get wrong: a misspelt key, a negative count, a word for a boolean.
  const bad = `{ outDir: 'elsewhere', keepRuns: -1, quiet: 'no' }`
  if (runner.framework === 'jest') {
    writeFileSync(
      join(dir, 'jest.bad.config.js'),
      `module.exports = { reporters: ['default', ['${reporter}', ${bad}]] }\n`,
    )
    writeFileSync(
      join(dir, 'jest.config.js'),
      `const bare = !!process.env.WITHOUT_THREEPIO\nmodule.exports = {\n  reporters: bare ? ['default'] : ['default', '${reporter}'],\n  setupFilesAfterEnv: bare ? [] : ['${reporter}/setup'],\n}\n`,
    )
  } else {
    writeFileSync(
      join(dir, 'vitest.bad.config.js'),
      `export default { test: { reporters: ['default', ['${reporter}', ${bad}]] } }\n`,
    )
    writeFileSync(
      join(dir, 'vitest.config.js'),
      `const bare = !!process.env.WITHOUT_THREEPIO\nexport default { test: { reporters: bare ? ['default'] : ['default', '${reporter}'] } }\n`,
    )
  }
}

/**
 * Installs, reading the registry as of `resolvedAt` where the package manager can (npm's
 * `--before`, pnpm's `minimum-release-age`; yarn 1 has no such setting and reads today's).
 * False when the registry lacks another platform's optional package (yarn 1).
 */
function install(dir: string, pm: Pm, runner: Runner): boolean {
  const [command, args] =
    pm === 'yarn'
      ? [runner.node, [YARN, 'install', '--silent', '--non-interactive', '--no-lockfile']]
      : [pm, installArgs(pm, resolvedAt)]
  const r = spawnSync(command, args, { cwd: dir, encoding: 'utf8', env: cleanEnv(runner.node) })
  // yarn 1 resolves the optional packages of every platform (npm and pnpm only this one's); a
  // registry mirror without, say, @rollup/rollup-darwin-arm64 at the wanted version stops it.
  if (
    pm === 'yarn' &&
    /Couldn't find any versions for "[^"]+-(darwin|win32|android|freebsd|openharmony)-/.test(
      r.stderr,
    )
  )
    return false
  expect(r.status, `${pm} install:\n${r.stdout}\n${r.stderr}`).toBe(0)
  return true
}

/** `threepio <args>` as the package manager runs a project's bin. */
function threepio(dir: string, pm: Pm, runner: Runner, args: string[]) {
  const [command, pmArgs] =
    pm === 'npm'
      ? ['npm', ['exec', '--no', '--', 'threepio']]
      : pm === 'pnpm'
        ? ['pnpm', ['exec', 'threepio']]
        : [runner.node, [YARN, '--silent', 'threepio']]
  const env = cleanEnv(runner.node)
  return spawnSync(command, [...pmArgs, ...args], { cwd: dir, encoding: 'utf8', env })
}

async function runFramework(dir: string, runner: Runner, args: string[], bare: boolean) {
  const bin =
    runner.framework === 'jest'
      ? join(dir, 'node_modules/jest/bin/jest.js')
      : join(dir, 'node_modules/vitest/vitest.mjs')
  return spawnToEnd(
    runner.node,
    [bin, ...(runner.framework === 'vitest' ? ['run'] : []), ...args],
    {
      cwd: dir,
      env: { ...(bare ? { WITHOUT_THREEPIO: '1' } : {}), THREEPIO_DIR: '' },
    },
  )
}

describe.each(['npm', 'pnpm', 'yarn'] as const)('installed with %s', (pm) => {
  describe.each(RUNNERS)('$name', (runner) => {
    it('prints what the framework prints, plus one closing line; threepio ls/show/report work', async (ctx) => {
      const dir = tempDir(`threepio-fresh-${pm}-`)
      writeProject(dir, pm, runner)
      if (!install(dir, pm, runner)) ctx.skip()

      const modes = runner.framework === 'jest' ? [['--runInBand'], ['-w', '2']] : [[]]
      for (const [round, args] of modes.entries()) {
        const [withThreepio, without] = [
          await runFramework(dir, runner, args, false),
          await runFramework(dir, runner, args, true),
        ]
        expect(withThreepio.exitCode).toBe(without.exitCode)
        expect(withThreepio.exitCode).toBe(1)
        // The framework ran the files (it did not stop before, on a missing module say).
        expect(without.stdout + without.stderr).toMatch(/Tests:?\s+1 failed/)
        const out = { with: seen(withThreepio.stdout), without: seen(without.stdout) }
        const err = { with: seen(withThreepio.stderr), without: seen(without.stderr) }
        expect(out.with.lines).toEqual(out.without.lines)
        expect(err.with.lines).toEqual(err.without.lines)
        expect([...out.with.closing, ...err.with.closing]).toEqual([
          // From the second run on, the history says how many failures are new.
          expect.stringMatching(
            round
              ? /^threepio: FAILED · 1 failed \(0 new\), 2 passed · 2 of 3 files failed \(1 failed to load\) · /
              : /^threepio: FAILED · 1 failed, 2 passed · 2 of 3 files failed \(1 failed to load\) · /,
          ),
        ])
      }

      // Bad options: one warning each, naming the option and the value; the run is recorded
      // with the defaults and ends as it does without threepio.
      const badConfig = runner.framework === 'jest' ? 'jest.bad.config.js' : 'vitest.bad.config.js'
      const withBad = await runFramework(dir, runner, ['--config', badConfig], false)
      expect(withBad.exitCode).toBe(1)
      expect(withBad.stderr.split('\n').filter((l) => l.startsWith('threepio: warning:'))).toEqual([
        'threepio: warning: unknown reporter option "outDir", ignored. Did you mean "outputDir"? The options are outputDir, keepRuns, quiet, junit, ctrf, githubAnnotations, githubSummary.',
        'threepio: warning: keepRuns (reporter option) must be a whole number >= 0 (0 keeps all); received -1; keeping 30',
      ])
      expect(withBad.stderr).toMatch(/^threepio: FAILED · /m) // quiet: 'no' is not quiet

      const runId = readLatest(join(dir, '.3pio'))!
      const ls = threepio(dir, pm, runner, ['ls'])
      expect(ls.status, ls.stderr).toBe(0)
      expect(ls.stdout).toMatch(new RegExp(`^${runId}  FAILED `))
      const show = threepio(dir, pm, runner, ['show'])
      expect(show.status, show.stderr).toBe(0)
      expect(show.stdout).toMatch(/^# FAILED · /)
      const report = threepio(dir, pm, runner, ['report', runId])
      expect(report.status, report.stderr).toBe(0)
      expect(report.stdout).toContain('FAILED · 1 failed (0 new), 2 passed')
      // Hints name the command as this package manager runs it.
      const missing = threepio(dir, pm, runner, ['show', 'no-such-run'])
      expect(missing.status).toBe(1)
      const prog = { npm: 'npx --no threepio', pnpm: 'pnpm exec threepio', yarn: 'yarn threepio' }
      expect(missing.stderr).toContain(`(${prog[pm]} ls lists them)`)
    })
  })
})

describe('npx', () => {
  it('runs the threepio command from its package in an empty folder, writing nothing there', () => {
    // As `npx @threepio/cli …` will once published: the packages come from the tarballs (the
    // registry does not have them yet), their dependencies from the registry, into a fresh cache.
    const empty = tempDir('threepio-npx-')
    const cache = tempDir('threepio-npx-cache-')
    const packages = PACKAGES.map(
      (p) => `--package=${tarballs[`@threepio/${p}`]!.slice('file:'.length)}`,
    )
    const npx = (args: string[]) =>
      spawnSync(
        'npx',
        ['--yes', `--cache=${cache}`, `--before=${resolvedAt}`, ...packages, 'threepio', ...args],
        {
          cwd: empty,
          encoding: 'utf8',
          env: cleanEnv(RUNNERS[0]!.node),
        },
      )
    const { version } = JSON.parse(
      readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8'),
    ) as { version: string }
    const v = npx(['--version'])
    expect(v.status, v.stderr).toBe(0)
    expect(v.stdout.trim()).toBe(version)
    const ls = npx(['ls'])
    expect(ls.status, ls.stderr).toBe(0)
    expect(ls.stdout).toBe(`no runs in ${join(empty, '.3pio')}\n`)
    const help = npx(['help', 'show'])
    expect(help.status, help.stderr).toBe(0)
    // Help names the command as it was run.
    expect(help.stdout).toMatch(/^Usage: npx @threepio\/cli show /)
    expect(readdirSync(empty)).toEqual([])
  })
})
