// The reporters as users get them: each package packed (`pnpm pack`) and installed with npm into
// a generated suite's own node_modules. Vitest loads a reporter under node_modules as is; a
// workspace link would make it transform the reporter's code on every run.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..')
const PACKAGES = ['core', 'log-writer', 'vitest-reporter', 'jest-reporter']

/** Installs the packed threepio packages into `dir` (which gets a package.json if needed). */
export function installPacked(dir) {
  const tars = mkdtempSync(join(tmpdir(), 'threepio-packed-'))
  for (const p of PACKAGES)
    execFileSync('pnpm', ['pack', '--pack-destination', tars], {
      cwd: join(ROOT, 'packages', p),
      stdio: 'ignore',
    })
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n')
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      ...readdirSync(tars).map((t) => join(tars, t)),
    ],
    { cwd: dir, stdio: 'ignore' },
  )
}
