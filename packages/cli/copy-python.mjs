// `threepio run` lends the pytest plugin to the pytest runs of its command (PYTHONPATH): a copy
// of the Python package's sources goes into dist/, without the wheel's bundled log writer (the
// plugin starts this command's own instead).
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'

const from = new URL('../pytest-bridge/src/pytest_threepio/', import.meta.url)
const to = new URL('./dist/python/pytest_threepio/', import.meta.url)
rmSync(to, { recursive: true, force: true })
cpSync(from, to, {
  recursive: true,
  filter: (src) => !/[\\/](_sidecar|__pycache__)([\\/]|$)/.test(src),
})
// Not installed, the package has no version of its own to report: this command's.
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'))
writeFileSync(new URL('_version', to), version + '\n')
