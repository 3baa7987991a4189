// The history of runs at scale: 200,000 tests in 2,000 files, 100 earlier runs in the history.
// What placing the run in the history and adding it costs at the run's end (git included), and
// what the history weighs on disk. Each earlier run fails a different 0.5 % of the tests.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { historyAtEnd, historyDirOf, RunState } from '@threepio/log-writer'

const mb = (n) => (n / 1048576).toFixed(1)

function duSync(dir) {
  let total = 0
  for (const e of readdirSync(dir, { withFileTypes: true }))
    total += e.isDirectory() ? duSync(join(dir, e.name)) : statSync(join(dir, e.name)).size
  return total
}

/** A finished run of `files` × `perFile` tests, built from events as a reporter would send them. */
function runState(root, files, perFile) {
  const state = new RunState()
  let seq = 0
  const apply = (e) => state.apply({ seq: ++seq, time: 1_800_000_000_000 + seq, ...e })
  apply({
    type: 'run-start',
    schema: 2,
    runId: '2027-01-15_08-00-00_00000000',
    runner: { name: 'vitest', version: 'bench' },
    reporter: { name: 'bench', version: '0' },
    rootDir: root,
    cwd: root,
    argv: ['vitest', 'run'],
    pid: 1,
  })
  for (let f = 0; f < files; f++) {
    const file = `src/feature${f % 50}/module-${f}.test.ts`
    apply({ type: 'file-start', file })
    for (let t = 0; t < perFile; t++) {
      const test = {
        id: `${f}_${t}`,
        name: `handles case ${t} of its input`,
        suite: [`module ${f}`, 'behaviour'], // names of their own: no two files share a list
      }
      // Most tests take a millisecond or two; one in 20 takes 50–500 ms.
      const durationMs = t % 20 === 3 ? 50 + ((f * 7 + t) % 450) : (t % 3) + 0.4
      apply({ type: 'test-end', file, test, status: 'passed', durationMs })
    }
    apply({ type: 'file-end', file })
  }
  apply({ type: 'run-end', status: 'passed', durationMs: 60_000 })
  state.finish()
  return state
}

/** The same run as run `i`: its id and time, and a different 0.5 % of its tests failing. */
function asRun(state, i) {
  const time = Date.UTC(2027, 0, 1) + i * 3_600_000
  const id = new Date(time).toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '-')
  state.start.runId = `${id}_${i.toString(16).padStart(8, '0')}`
  state.start.time = time
  for (const [n, f] of state.outcomes.files().entries()) {
    const letters = []
    f.signatures = {}
    for (let t = 0; t < f.statuses.length; t++) {
      const failed = (n * 100 + t + i * 37) % 200 === 0
      letters.push(failed ? 'f' : 'p')
      if (failed) f.signatures[t] = `Error: boom @ ${f.file}:${t}`
    }
    f.statuses = letters.join('')
  }
}

export async function benchHistory({ quick }) {
  const files = quick ? 200 : 2000
  const runs = quick ? 10 : 100
  const root = mkdtempSync(join(tmpdir(), 'threepio-bench-history-'))
  execFileSync('git', ['init', '-q'], { cwd: root })
  writeFileSync(join(root, 'a.txt'), 'x')
  execFileSync(
    'git',
    ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qam', 'x', '--allow-empty'],
    { cwd: root },
  )
  const out = join(root, '.3pio')
  mkdirSync(join(out, 'runs'), { recursive: true })
  writeFileSync(join(out, '.gitignore'), '*\n')
  const state = runState(root, files, 100)
  const runDir = (s) => join(out, 'runs', s.start.runId)
  const times = []
  for (let i = 0; i < runs + 5; i++) {
    asRun(state, i)
    const t0 = process.hrtime.bigint()
    const problem = historyAtEnd(runDir(state), state, { mode: 'record' })
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    if (problem) throw new Error(problem)
  }
  const last = times.slice(runs).sort((a, b) => a - b)
  const size = duSync(historyDirOf(out))
  const failures = state.history.failures.size
  console.log(
    `\n## History of runs (${files * 100} tests in ${files} files; ${runs} earlier runs, 0.5 % failing in each)\n`,
  )
  console.log('| measure | value |')
  console.log('|---|---|')
  console.log(`| first run's end (no history yet) | ${times[0].toFixed(0)} ms |`)
  console.log(
    `| run's end with ${runs} earlier runs: place ${failures} failures and ${files * 100} tests, add the record (median of 5) | ${last[2].toFixed(0)} ms |`,
  )
  console.log(
    `| history on disk after ${runs + 5} runs (${runs} kept + pruning slack) | ${mb(size)} MB |`,
  )
  console.log(
    `| of which test names (once per distinct list) | ${mb(duSync(join(historyDirOf(out), 'names')))} MB |`,
  )
  rmSync(root, { recursive: true, force: true })
}
