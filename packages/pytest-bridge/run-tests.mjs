// `pnpm test` for the pytest plugin: installs it into one virtualenv per pytest major version
// and runs the Python tests (pytester, xdist included) against the installed package.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { ensureVenv } from './venv.mjs'

const here = import.meta.dirname
const versions = (process.env.THREEPIO_PYTEST_VERSIONS ?? '8,9').split(',')

for (const major of versions) {
  const bin = ensureVenv(major)
  console.log(`\n--- pytest ${major} ---`)
  execFileSync(join(bin, 'python'), ['-m', 'pytest', 'tests', '-q', '-p', 'pytester', '-n', '2'], {
    stdio: 'inherit',
    cwd: here,
    env: {
      ...process.env,
      THREEPIO_SCHEMA: join(here, '../core/schema.json'),
      PATH: `${bin}:${process.env.PATH}`,
    },
  })
}
