// Where threepio's cost in a Jest run goes (`pnpm bench --only=jest-parts`). The overhead
// benchmark's Jest suite, run in band as Jest runs it on two cores, with a probe reporter listed
// first in every variant: the phases of the run on Jest's thread (start-up, before the first
// file, inside test files, between files, after the last) and, paired round by round with Jest
// alone, what each variant adds to each. Then threepio's own time on Jest's thread, hook by
// hook, from a copy of the reporter whose hooks are timed. Wall-time overheads need tens of
// rounds to resolve (see the overhead benchmark); these parts say where they come from.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { geomean, interval, median, random, shuffled, suite } from './overhead.mjs'

const require = createRequire(import.meta.url)
const here = import.meta.dirname
const JEST = join(require.resolve('jest/package.json'), '../bin/jest.js')
const JEST_JUNIT = require.resolve('jest-junit')
const PROBE = join(here, 'jest', 'probe-reporter.cjs')
const TIMED = join(here, 'jest', 'timed-reporter.cjs')
// The same reporter recording in Jest's thread, and handing events over by postMessage.
const INLINE = join(here, 'jest', 'inline-reporter.cjs')
const POST = join(here, 'jest', 'post-reporter.cjs')
const REPORTER = '@threepio/jest-reporter'
const SETUP = '@threepio/jest-reporter/setup'

const VARIANTS = {
  'Jest alone': { reporters: [] },
  'threepio (reporter)': { reporters: [REPORTER] },
  'threepio (reporter + live setup)': { reporters: [REPORTER], setup: [SETUP] },
  "in Jest's thread (reporter)": { reporters: [INLINE] },
  "in Jest's thread (reporter + live setup)": { reporters: [INLINE], setup: [SETUP] },
  'postMessage (reporter)': { reporters: [POST] },
  'jest-junit': { reporters: [JEST_JUNIT] },
}

/** The phases of one run from the probe's marks, in milliseconds on Jest's thread. */
function phases(p) {
  const files = p.files.filter(([, end]) => end > 0)
  let inFiles = 0
  let between = 0
  for (let i = 0; i < files.length; i++) {
    inFiles += files[i][1] - files[i][0]
    if (i) between += files[i][0] - files[i - 1][1]
  }
  const first = files[0]?.[0] ?? p.runStart
  const last = files.at(-1)?.[1] ?? p.runStart
  return {
    'start-up (to onRunStart; loads the reporters)': p.runStart,
    'onRunStart to the first file': first - p.runStart,
    'inside test files (their tests and per-test hooks)': inFiles,
    'between files (file results and starts)': between,
    'after the last file (run end, exit)': p.exit - last,
    total: p.exit,
  }
}

export async function benchJestParts({ quick, repeats = quick ? 2 : 10 }) {
  const { dir, shape } = suite(quick, 'jest-parts')
  const probeFile = join(dir, 'out', 'probe.jsonl')
  const timesFile = join(dir, 'out', 'times.jsonl')
  const run = (variant, { reporters, setup = [] }) => {
    const r = spawnSync(process.execPath, [JEST, '--ci'], {
      cwd: join(dir, 'js'),
      stdio: 'ignore',
      env: {
        ...process.env,
        CI: 'true',
        NO_COLOR: '1',
        BENCH_JEST: JSON.stringify({ reporters, setup }),
        THREEPIO_DIR: join(dir, 'out', '3pio'),
        JEST_JUNIT_OUTPUT_DIR: join(dir, 'out', 'junit'),
        THREEPIO_BENCH_PROBE: probeFile,
        THREEPIO_BENCH_TIMES: timesFile,
        THREEPIO_BENCH_VARIANT: variant,
      },
    })
    if (r.error) throw r.error
  }
  const names = Object.keys(VARIANTS)
  const probed = (n) => run(n, { ...VARIANTS[n], reporters: [PROBE, ...VARIANTS[n].reporters] })
  for (const n of names) probed(n) // warm-up: caches, transforms
  rmSync(probeFile, { force: true })
  const rnd = random(7)
  for (let r = 0; r < repeats; r++) for (const n of shuffled(names, rnd)) probed(n)
  const byVariant = Object.fromEntries(names.map((n) => [n, []]))
  for (const line of readFileSync(probeFile, 'utf8').trim().split('\n')) {
    const p = JSON.parse(line)
    byVariant[p.variant].push(phases(p))
  }
  printPhases(names, byVariant, shape)

  // threepio's own time on Jest's thread, hook by hook.
  rmSync(timesFile, { force: true })
  const timed = names.slice(1, 3)
  const timedRuns = Math.max(3, Math.min(repeats, 5))
  for (let r = 0; r < timedRuns; r++)
    for (const n of timed) run(n, { ...VARIANTS[n], reporters: [TIMED] })
  const times = {}
  for (const line of readFileSync(timesFile, 'utf8').trim().split('\n')) {
    const t = JSON.parse(line)
    for (const [hook, { calls, ms }] of Object.entries(t.times))
      ((times[hook] ??= {})[t.variant] ??= []).push({ calls, ms })
  }
  console.log(
    `\nthreepio's own time on Jest's thread (its hooks timed in a wrapper, which adds about 1 µs a call; medians of ${timedRuns} runs): calls, ms in all, µs a call\n`,
  )
  console.log(`| part | ${timed.map((n) => `${n}: calls | ms | µs a call`).join(' | ')} |`)
  console.log(`|---|${timed.map(() => '---:|---:|---:').join('|')}|`)
  const total = Object.fromEntries(timed.map((n) => [n, 0]))
  for (const [hook, per] of Object.entries(times)) {
    const cells = timed.map((n) => {
      const xs = per[n] ?? []
      const calls = median(xs.map((x) => x.calls))
      if (!xs.length || !calls) return '– | – | –'
      const ms = median(xs.map((x) => x.ms))
      total[n] += ms
      return `${calls.toLocaleString('en-US')} | ${ms.toFixed(1)} | ${((ms * 1000) / calls).toFixed(1)}`
    })
    console.log(`| ${hook} | ${cells.join(' | ')} |`)
  }
  console.log(`| all | ${timed.map((n) => `– | ${total[n].toFixed(1)} | –`).join(' | ')} |`)
  rmSync(dir, { recursive: true, force: true })
  return { byVariant, times }
}

/** The phases table and the whole run against Jest alone, round by round. */
function printPhases(names, byVariant, shape) {
  const base = byVariant[names[0]]
  const rounds = Math.min(...Object.values(byVariant).map((x) => x.length))
  const tests = shape.files * shape.tests
  console.log(
    `\nJest, where the time goes: ${tests.toLocaleString('en-US')} tests (${shape.files} files × ${shape.tests} tests × ${shape.lines} printed lines), in band, ${rounds} rounds in shuffled order; a probe reporter listed first marks each phase on Jest's thread. Jest alone: median ms; the others: median of the differences to Jest alone in the same round, ms\n`,
  )
  console.log(`| phase | ${names.join(' | ')} |`)
  console.log(`|---|${names.map(() => '---:').join('|')}|`)
  for (const phase of Object.keys(base[0] ?? {})) {
    const cells = names.map((n, k) => {
      if (!k) return median(base.slice(0, rounds).map((x) => x[phase])).toFixed(0)
      const d = median(byVariant[n].slice(0, rounds).map((x, i) => x[phase] - base[i][phase]))
      return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(0)}`
    })
    console.log(`| ${phase} | ${cells.join(' | ')} |`)
  }
  // The whole run against Jest alone in the same round, as the overhead benchmark gives it.
  const whole = names.slice(1).map((n) => {
    const ratios = byVariant[n].slice(0, rounds).map((x, i) => x.total / base[i].total)
    const pct = (r) => `${r >= 1 ? '+' : '−'}${(Math.abs(r - 1) * 100).toFixed(1)} %`
    const [lo, hi] = interval(ratios)
    return `${n}: ${pct(geomean(ratios))} [${pct(lo)}, ${pct(hi)}]`
  })
  console.log(
    `\nWhole run against Jest alone (geometric mean [90 % interval]): ${whole.join('; ')}`,
  )
}
