// Print-to-log latency: how long after a test prints a line that line is in its log file under
// .3pio/runs/<id>/logs/. Each test prints `LAT <epoch ms>` and then works for 30 ms; the bench
// reads the log every 2 ms while the run goes and stamps each line as it appears.
import { spawn } from 'node:child_process'
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readLatest, runPaths } from '@threepio/core'
import { ensureVenv } from '../packages/pytest-bridge/venv.mjs'
import { installPacked } from '../scripts/packed.mjs'

// Installed from packed tarballs into each generated suite, as users install them.
const JEST_REPORTER = '@threepio/jest-reporter'
const JEST_SETUP = '@threepio/jest-reporter/setup'
const VITEST_REPORTER = '@threepio/vitest-reporter'

const require = createRequire(import.meta.url)
const JEST = join(require.resolve('jest/package.json'), '../bin/jest.js')
const VITEST = join(require.resolve('vitest/package.json'), '../vitest.mjs')

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

function generate(dir, tests) {
  mkdirSync(join(dir, 'js'))
  mkdirSync(join(dir, 'py'))
  writeFileSync(
    join(dir, 'js', 'latency.test.js'),
    `for (let t = 0; t < ${tests}; t++) {
  test('case ' + t, async () => {
    console.log('LAT ' + Date.now())
    await new Promise((r) => setTimeout(r, 30))
  })
}
`,
  )
  writeFileSync(
    join(dir, 'js', 'jest.config.cjs'),
    `module.exports = { testMatch: ['**/*.test.js'], reporters: [${JSON.stringify(JEST_REPORTER)}], setupFilesAfterEnv: process.env.LIVE ? [${JSON.stringify(JEST_SETUP)}] : [] }\n`,
  )
  writeFileSync(
    join(dir, 'js', 'vitest.config.mjs'),
    `export default { test: { globals: true, include: ['**/*.test.js'], reporters: [${JSON.stringify(VITEST_REPORTER)}] } }\n`,
  )
  writeFileSync(
    join(dir, 'py', 'test_latency.py'),
    `import time\n\nimport pytest\n\n\n@pytest.mark.parametrize("t", range(${tests}))\ndef test_case(t):\n    print("LAT", int(time.time() * 1000))\n    time.sleep(0.03)\n`,
  )
  writeFileSync(join(dir, 'py', 'pytest.ini'), '[pytest]\n')
}

/** Runs one command and stamps every LAT line of `log` as it appears. */
async function follow(command, args, cwd, outputDir, log, env = {}) {
  const proc = spawn(command, args, {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', THREEPIO_DIR: outputDir, ...env },
    stdio: 'ignore',
  })
  let exited = false
  proc.on('exit', () => (exited = true))
  const latencies = []
  let offset = 0
  let rest = ''
  const buf = Buffer.allocUnsafe(1 << 16)
  const read = () => {
    const id = readLatest(outputDir)
    if (!id) return
    let fd
    try {
      fd = openSync(join(runPaths(outputDir, id).logsDir, log), 'r')
    } catch {
      return
    }
    try {
      for (let n; (n = readSync(fd, buf, 0, buf.length, offset)) > 0; offset += n) {
        const now = Date.now()
        const lines = (rest + buf.toString('utf8', 0, n)).split('\n')
        rest = lines.pop()
        for (const line of lines) {
          const m = /LAT (\d+)/.exec(line)
          if (m) latencies.push(now - Number(m[1]))
        }
      }
    } finally {
      closeSync(fd)
    }
  }
  while (!exited) {
    read()
    await new Promise((r) => setTimeout(r, 2))
  }
  // pytest's log writer may still be finishing; give it a moment, then read the rest.
  await new Promise((r) => setTimeout(r, 500))
  read()
  return latencies
}

export async function benchLatency({ quick }) {
  const tests = quick ? 20 : 100
  const dir = mkdtempSync(join(tmpdir(), 'threepio-bench-latency-'))
  generate(dir, tests)
  installPacked(join(dir, 'js'))
  const python = join(ensureVenv(9), 'python')
  const js = join(dir, 'js')
  const runs = [
    [
      'Vitest 4',
      () => follow(process.execPath, [VITEST, 'run'], js, join(dir, 'v'), 'latency.test.js.log'),
    ],
    [
      'Jest 30 (reporter + live setup)',
      () =>
        follow(process.execPath, [JEST, '--ci'], js, join(dir, 'jl'), 'latency.test.js.log', {
          LIVE: '1',
        }),
    ],
    [
      'Jest 30 (reporter only: output comes with the file result)',
      () => follow(process.execPath, [JEST, '--ci'], js, join(dir, 'j'), 'latency.test.js.log'),
    ],
    [
      'pytest 9 (output comes with the test result)',
      () =>
        follow(
          python,
          ['-m', 'pytest', '-q', '-p', 'threepio'],
          join(dir, 'py'),
          join(dir, 'p'),
          'test_latency.py.log',
        ),
    ],
  ]
  console.log(
    `\nPrint-to-log latency: ${tests} tests printing one line each, 30 ms apart; from the print to the line in its log file\n`,
  )
  console.log('| runner | lines seen | p50 (ms) | p95 (ms) | max (ms) |')
  console.log('|---|---:|---:|---:|---:|')
  const summary = {}
  for (const [name, run] of runs) {
    const l = (await run()).sort((a, b) => a - b)
    summary[name] = { p95: quantile(l, 0.95), seen: l.length, of: tests }
    console.log(
      `| ${name} | ${l.length}/${tests} | ${quantile(l, 0.5)} | ${quantile(l, 0.95)} | ${l.at(-1)} |`,
    )
  }
  rmSync(dir, { recursive: true, force: true })
  return summary
}
