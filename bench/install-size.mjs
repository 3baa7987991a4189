// What each reporter adds to a fresh project's node_modules, installed with npm: bytes on disk
// (file sizes summed) and packages, next to jest-junit. The threepio packages are packed
// tarballs, as the registry would serve them; the rest resolves as of RESOLVED_AT.
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packPackages, RESOLVED_AT } from '../scripts/packed.mjs'

function pack() {
  const dest = mkdtempSync(join(tmpdir(), 'threepio-size-'))
  const tarballs = packPackages(dest, [
    'core',
    'log-writer',
    'cli',
    'jest-reporter',
    'vitest-reporter',
  ])
  return { dest, tgz: (name) => tarballs[`@threepio/${name}`] }
}

/** Bytes of the files under `dir` and the number of packages (folders with a package.json). */
function measure(dir) {
  let bytes = 0
  let packages = 0
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isSymbolicLink()) continue
      if (e.isDirectory()) {
        if (existsSync(join(p, 'package.json')) && !p.endsWith('node_modules')) packages++
        walk(p)
      } else bytes += lstatSync(p).size
    }
  }
  walk(join(dir, 'node_modules'))
  return { bytes, packages }
}

function project(deps, overrides = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'threepio-size-project-'))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ private: true, devDependencies: deps, overrides }, null, 2),
  )
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', `--before=${RESOLVED_AT}`],
    { cwd: dir, stdio: 'ignore' },
  )
  const m = measure(dir)
  rmSync(dir, { recursive: true, force: true })
  return m
}

const mib = (b) => `${(b / 1024 / 1024).toFixed(2)} MiB`

export async function benchInstallSize() {
  const { dest, tgz } = pack()
  const pinned = {
    '@threepio/core': `file:${tgz('core')}`,
    '@threepio/log-writer': `file:${tgz('log-writer')}`,
    '@threepio/cli': `file:${tgz('cli')}`,
  }
  const rows = []
  for (const [framework, range, reporters] of [
    [
      'jest',
      '^30.0.0',
      {
        '@threepio/jest-reporter': `file:${tgz('jest-reporter')}`,
        'jest-junit': '^17.0.0',
      },
    ],
    ['vitest', '^4.0.0', { '@threepio/vitest-reporter': `file:${tgz('vitest-reporter')}` }],
  ]) {
    const base = project({ [framework]: range })
    for (const [name, spec] of Object.entries(reporters)) {
      const m = project(
        { [framework]: range, [name]: spec },
        name.startsWith('@threepio') ? pinned : {},
      )
      rows.push({
        project: `${framework} ${range}`,
        reporter: name,
        added: mib(m.bytes - base.bytes),
        packages: m.packages - base.packages,
      })
    }
  }
  rmSync(dest, { recursive: true, force: true })
  console.log('\ninstall size: what the reporter adds to a fresh npm project')
  console.table(rows)
}

if (import.meta.url === `file://${process.argv[1]}`) await benchInstallSize()
