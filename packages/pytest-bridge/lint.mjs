// `pnpm lint` for the Python package: ruff (lint and format) and mypy (strict), from a virtualenv
// of their own with pinned versions, so CI and every machine check the same way.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const here = import.meta.dirname
const venv = join(here, '.venv-lint')
const bin = join(venv, 'bin')
const TOOLS = ['ruff==0.17.6', 'mypy==2.4.1', 'pytest>=9,<10']

const run = (cmd, args, quiet = false) =>
  execFileSync(cmd, args, { cwd: here, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' })

if (!existsSync(join(bin, 'python'))) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv])
run(
  join(bin, 'python'),
  ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...TOOLS],
  true,
)
const paths = ['src', 'tests', 'hatch_build.py', 'check_sizes.py']
run(join(bin, 'ruff'), ['check', ...paths])
run(join(bin, 'ruff'), ['format', '--check', ...paths])
run(join(bin, 'mypy'))
run(join(bin, 'python'), ['check_sizes.py', 'src'])
