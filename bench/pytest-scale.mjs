// A generated pytest suite run with and without `-p threepio`: wall time, and every test
// accounted for (test-end events = tests in run.json = tests pytest ran).
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeEvents, readLatest, runPaths } from '@threepio/core'
import { ensureVenv } from '../packages/pytest-bridge/venv.mjs'

export async function benchPytestScale({ quick }) {
  const files = quick ? 20 : 100
  const perFile = 1000
  const dir = mkdtempSync(join(tmpdir(), 'threepio-bench-pytest-'))
  mkdirSync(join(dir, 'tests'))
  writeFileSync(join(dir, 'pytest.ini'), '[pytest]\n')
  for (let f = 0; f < files; f++) {
    writeFileSync(
      join(dir, 'tests', `test_mod${f}.py`),
      `import pytest\n\n@pytest.mark.parametrize("i", range(${perFile}))\ndef test_case(i):\n    print("case", i)\n    assert i % 997 != 5\n`,
    )
  }
  const python = join(ensureVenv(9), 'python')
  const time = (args, env = {}) => {
    const start = process.hrtime.bigint()
    const r = spawnSync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, status: r.status }
  }
  const bare = time([])
  const out = join(dir, '.3pio')
  const ours = time(['-p', 'threepio'], { THREEPIO_DIR: out })
  const paths = runPaths(out, readLatest(out))
  const { events, stats } = decodeEvents(readFileSync(paths.events))
  const testEnds = events.filter((e) => e.type === 'test-end').length
  const summary = JSON.parse(readFileSync(paths.summaryJson, 'utf8'))
  const tests = files * perFile
  console.log(
    `\npytest scale: ${tests.toLocaleString('en-US')} tests in ${files} files, each printing a line\n`,
  )
  console.log('| run | wall time (s) | exit |')
  console.log('|---|---:|---:|')
  console.log(`| pytest | ${bare.seconds.toFixed(1)} | ${bare.status} |`)
  console.log(
    `| pytest -p threepio (events + sidecar logs/summary) | ${ours.seconds.toFixed(1)} | ${ours.status} |`,
  )
  console.log(
    `\nratio ${(ours.seconds / bare.seconds).toFixed(2)}; events lines ${events.length}, skipped ${stats.invalidJson + stats.truncated}; test-end ${testEnds}; run.json total ${summary.counts.total}; expected ${tests}`,
  )
  rmSync(dir, { recursive: true, force: true })
}
