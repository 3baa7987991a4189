// A generated pytest suite run with and without `-p threepio`: wall time, every test accounted
// for (test-end events = tests in run.json = tests pytest ran), and the peak RSS of pytest (with
// the plugin) and of its log writer, read from /proc while the run goes.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeEvents, readLatest, runPaths, skippedLines } from '@threepio/core'
import { ensureVenv } from '../packages/pytest-bridge/venv.mjs'

export async function benchPytestScale({ quick }) {
  const files = quick ? 20 : 200
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
  const time = async (args, env = {}) => {
    const start = process.hrtime.bigint()
    const proc = spawn(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'ignore'],
    })
    const peak = { pytest: 0, sidecar: 0 }
    const sample = setInterval(() => {
      peak.pytest = Math.max(peak.pytest, peakRss(proc.pid))
      for (const pid of sidecars()) peak.sidecar = Math.max(peak.sidecar, peakRss(pid))
    }, 100)
    const status = await new Promise((resolve) => proc.on('exit', (code) => resolve(code)))
    clearInterval(sample)
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, status, peak }
  }
  const bare = await time([])
  const out = join(dir, '.3pio')
  const ours = await time(['-p', 'threepio'], { THREEPIO_DIR: out })
  const paths = runPaths(out, readLatest(out))
  const raw = readFileSync(paths.events)
  const { events, stats } = decodeEvents(raw)
  let lines = 0
  for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) lines++
  const testEnds = events.filter((e) => e.type === 'test-end').length
  const summary = JSON.parse(readFileSync(paths.summaryJson, 'utf8'))
  const tests = files * perFile
  console.log(
    `\npytest scale: ${tests.toLocaleString('en-US')} tests in ${files} files, each printing a line\n`,
  )
  const mib = (kb) => (kb / 1024).toFixed(0)
  console.log('| run | wall time (s) | exit | peak RSS pytest (MiB) | peak RSS log writer (MiB) |')
  console.log('|---|---:|---:|---:|---:|')
  console.log(
    `| pytest | ${bare.seconds.toFixed(1)} | ${bare.status} | ${mib(bare.peak.pytest)} | — |`,
  )
  console.log(
    `| pytest -p threepio (events + log writer) | ${ours.seconds.toFixed(1)} | ${ours.status} | ${mib(ours.peak.pytest)} | ${mib(ours.peak.sidecar)} |`,
  )
  console.log(
    `\nratio ${(ours.seconds / bare.seconds).toFixed(3)}; events written (last seq) ${events.at(-1)?.seq} = lines in events.jsonl ${lines} (unreadable ${skippedLines(stats)}); test-end events ${testEnds} = run.json total ${summary.counts.total} = tests ${tests}: ${events.at(-1)?.seq === lines && testEnds === tests && summary.counts.total === tests ? 'all accounted for' : 'MISMATCH'}`,
  )
  rmSync(dir, { recursive: true, force: true })
}

/** Peak resident set (VmHWM, KiB) of a live process; 0 when it is gone. */
function peakRss(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** pids of running pytest log writers (`threepio.cjs ingest`). */
function sidecars() {
  const pids = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8')
      if (cmd.includes('threepio.cjs') && cmd.includes('ingest')) pids.push(Number(name))
    } catch {
      // gone
    }
  }
  return pids
}
