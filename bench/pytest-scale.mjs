// A generated pytest suite run with and without `-p threepio` (in the order bare, threepio,
// threepio, bare, so that a steady drift in this machine's speed cancels out): wall time,
// where pytest spent it (a conftest in the suite times collection, the test loop and pytest's
// terminal summary), every test accounted for (test-end events = tests in run.json = tests
// pytest ran), and the peak RSS of pytest and of its log writer, read from /proc while it runs.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeEvents, readLatest, runPaths, skippedLines } from '@threepio/core'
import { ensureVenv } from '../packages/pytest-bridge/venv.mjs'

// Times pytest's phases in both runs alike; written to $BENCH_PHASES when pytest unconfigures.
const PHASE_PROBE = `import json, os, time
import pytest

_t = {}


def _timed(name):
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def hook():
        _t[name + "0"] = time.perf_counter()
        try:
            return (yield)
        finally:
            _t[name + "1"] = time.perf_counter()

    return hook


pytest_collection = _timed("collect")
pytest_runtestloop = _timed("loop")
pytest_terminal_summary = _timed("summary")


def pytest_unconfigure(config):
    phases = {k: _t.get(k + "1", 0) - _t.get(k + "0", 0) for k in ("collect", "loop", "summary")}
    with open(os.environ["BENCH_PHASES"], "w") as f:
        json.dump(phases, f)
`

export async function benchPytestScale({ quick }) {
  const files = quick ? 20 : 200
  const perFile = 1000
  const order = quick ? ['bare', 'ours'] : ['bare', 'ours', 'ours', 'bare']
  const dir = mkdtempSync(join(tmpdir(), 'threepio-bench-pytest-'))
  mkdirSync(join(dir, 'tests'))
  writeFileSync(join(dir, 'pytest.ini'), '[pytest]\n')
  writeFileSync(join(dir, 'conftest.py'), PHASE_PROBE)
  for (let f = 0; f < files; f++) {
    writeFileSync(
      join(dir, 'tests', `test_mod${f}.py`),
      `import pytest\n\n@pytest.mark.parametrize("i", range(${perFile}))\ndef test_case(i):\n    print("case", i)\n    assert i % 997 != 5\n`,
    )
  }
  const python = join(ensureVenv(9), 'python')
  const phasesFile = join(dir, 'phases.json')
  const time = async (args, env = {}) => {
    rmSync(phasesFile, { force: true })
    const start = process.hrtime.bigint()
    const proc = spawn(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args], {
      cwd: dir,
      env: { ...process.env, ...env, BENCH_PHASES: phasesFile },
      stdio: ['ignore', 'ignore', 'ignore'],
    })
    const peak = { pytest: 0, sidecar: 0 }
    const sample = setInterval(() => {
      peak.pytest = Math.max(peak.pytest, peakRss(proc.pid))
      for (const pid of sidecars()) peak.sidecar = Math.max(peak.sidecar, peakRss(pid))
    }, 100)
    const status = await new Promise((resolve) => proc.on('exit', (code) => resolve(code)))
    clearInterval(sample)
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    const phases = JSON.parse(readFileSync(phasesFile, 'utf8'))
    phases.rest = seconds - phases.collect - phases.loop - phases.summary
    return { seconds, status, peak, phases }
  }
  const out = join(dir, '.3pio')
  const runs = { bare: [], ours: [] }
  const variants = {
    bare: () => time([]),
    ours: () => time(['-p', 'threepio'], { THREEPIO_DIR: out }),
  }
  for (const name of order) runs[name].push(await variants[name]())
  const paths = runPaths(out, readLatest(out))
  const raw = readFileSync(paths.events)
  const { events, stats } = decodeEvents(raw)
  let lines = 0
  for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) lines++
  const testEnds = events.filter((e) => e.type === 'test-end').length
  const summary = JSON.parse(readFileSync(paths.summaryJson, 'utf8'))
  const tests = files * perFile
  console.log(
    `\npytest scale: ${tests.toLocaleString('en-US')} tests in ${files} files, each printing a line; runs in the order ${order.map((n) => (n === 'bare' ? 'pytest' : 'threepio')).join(', ')}; means [min–max]\n`,
  )
  console.log(
    '| run | wall (s) | collection (s) | test loop (s) | terminal summary (s) | start and exit (s) | exit | peak RSS pytest (MiB) | peak RSS log writer (MiB) |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  console.log(tableRow('pytest', runs.bare, false))
  console.log(tableRow('pytest -p threepio (events + log writer)', runs.ours, true))
  const overhead = (pick) => {
    const pct = (mean(runs.ours.map(pick)) / mean(runs.bare.map(pick)) - 1) * 100
    return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`
  }
  const accounted =
    events.at(-1)?.seq === lines && testEnds === tests && summary.counts.total === tests
  console.log(
    `\nthreepio: wall ${overhead((r) => r.seconds)}, test loop ${overhead((r) => r.phases.loop)} (means); events written (last seq) ${events.at(-1)?.seq} = lines in events.jsonl ${lines} (unreadable ${skippedLines(stats)}); test-end events ${testEnds} = run.json total ${summary.counts.total} = tests ${tests}: ${accounted ? 'all accounted for' : 'MISMATCH'}`,
  )
  rmSync(dir, { recursive: true, force: true })
}

const mib = (kb) => (kb / 1024).toFixed(0)
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length
const spread = (values) =>
  `${mean(values).toFixed(1)}${values.length > 1 ? ` [${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}]` : ''}`

/** One row of the table: the runs of one variant, their means and spread. */
function tableRow(label, list, withSidecar) {
  const phase = (k) => spread(list.map((r) => r.phases[k]))
  const rss = Math.max(...list.map((r) => r.peak.pytest))
  const side = withSidecar ? mib(Math.max(...list.map((r) => r.peak.sidecar))) : '—'
  return `| ${label} | ${spread(list.map((r) => r.seconds))} | ${phase('collect')} | ${phase('loop')} | ${phase('summary')} | ${phase('rest')} | ${list.map((r) => r.status).join(', ')} | ${mib(rss)} | ${side} |`
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
