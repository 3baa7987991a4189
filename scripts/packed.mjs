// The npm packages as users get them: each one packed (`pnpm pack`, which turns workspace
// dependencies into versions) and installed with npm from the tarballs, without workspace
// links. Used by the end-to-end tests, the demo and the benchmarks. The packages must be built.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..')

/**
 * The moment the registry is read as of (npm `--before`; pnpm `minimum-release-age` from it):
 * the project's own installs from the registry resolve to what was published by then, as a
 * lockfile would pin them. CI then gets the same dependency trees every day, and never the
 * newest releases, whose own dependencies can be missing from the registry or its mirror for a
 * while. Moved forward on purpose, to test newer releases.
 */
export const RESOLVED_AT = '2026-11-15T00:00:00Z'

/** The published npm packages (folders under packages/). */
export const PACKAGES = ['core', 'log-writer', 'cli', 'jest-reporter', 'vitest-reporter']

/** Packs each package into `dest`; returns package name → tarball path. */
export function packPackages(dest, packages = PACKAGES) {
  for (const p of packages)
    execFileSync('pnpm', ['pack', '--pack-destination', dest], {
      cwd: join(ROOT, 'packages', p),
      stdio: 'ignore',
    })
  return Object.fromEntries(
    readdirSync(dest)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => [
        `@threepio/${f.replace(/^threepio-/, '').replace(/-\d+\.\d+\.\d+.*\.tgz$/, '')}`,
        join(dest, f),
      ]),
  )
}

/**
 * Installs the packed packages into `dir`/node_modules with npm, as `npm install <tarball>` in a
 * user's project does (dependencies from the registry); writes no package.json or lockfile.
 */
export function installPacked(dir, packages = PACKAGES, extra = []) {
  const tars = mkdtempSync(join(tmpdir(), 'threepio-packed-'))
  try {
    const tarballs = Object.values(packPackages(tars, packages))
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `--before=${RESOLVED_AT}`,
        ...tarballs,
        ...extra,
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
    )
  } finally {
    rmSync(tars, { recursive: true, force: true })
  }
}
