// `pnpm test` for the pytest plugin: installs the package the way a user does (pip install of
// the built wheel, sidecar included) into one virtualenv per pytest major version, then runs
// the Python tests (pytester) against it, also under xdist.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const here = import.meta.dirname
const python = process.env.PYTHON ?? 'python3'
const schema = join(here, '../core/schema.json')
const versions = (process.env.THREEPIO_PYTEST_VERSIONS ?? '8,9').split(',')
const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { stdio: 'inherit', cwd: here, ...opts })

for (const major of versions) {
  const venv = join(here, `.venv-pytest${major}`)
  const bin = join(venv, 'bin')
  if (!existsSync(join(bin, 'python'))) run(python, ['-m', 'venv', venv])
  run(join(bin, 'python'), [
    '-m',
    'pip',
    'install',
    '-q',
    '--disable-pip-version-check',
    `pytest>=${major},<${Number(major) + 1}`,
    'pytest-xdist',
    'pytest-rerunfailures',
    'jsonschema',
  ])
  // The package itself, rebuilt from this tree every time (a wheel, not an editable install).
  run(join(bin, 'python'), [
    '-m',
    'pip',
    'install',
    '-q',
    '--disable-pip-version-check',
    '--force-reinstall',
    '--no-deps',
    '.',
  ])
  console.log(`\n--- pytest ${major} ---`)
  run(join(bin, 'python'), ['-m', 'pytest', 'tests', '-q', '-p', 'pytester'], {
    env: { ...process.env, THREEPIO_SCHEMA: schema, PATH: `${bin}:${process.env.PATH}` },
  })
}
