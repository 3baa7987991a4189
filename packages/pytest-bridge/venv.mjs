// One virtualenv per pytest major version, with this package installed as a user installs it
// (pip install of the built wheel, sidecar included). Used by the tests and by `pnpm demo`.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const here = import.meta.dirname

/** Creates or refreshes `.venv-pytest<major>`; returns its bin folder. */
export function ensureVenv(major, { quiet = true } = {}) {
  const python = process.env.PYTHON ?? 'python3'
  const venv = join(here, `.venv-pytest${major}`)
  const bin = join(venv, 'bin')
  const run = (cmd, args) =>
    execFileSync(cmd, args, {
      stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
      cwd: here,
    })
  if (!existsSync(join(bin, 'python'))) run(python, ['-m', 'venv', venv])
  const pip = [join(bin, 'python'), '-m', 'pip', 'install', '-q', '--disable-pip-version-check']
  run(pip[0], [
    ...pip.slice(1),
    `pytest>=${major},<${Number(major) + 1}`,
    'pytest-xdist',
    'pytest-rerunfailures',
    'jsonschema',
  ])
  run(pip[0], [...pip.slice(1), '--force-reinstall', '--no-deps', '.'])
  return bin
}
