// What threepio costs a real test run, next to what people use instead: generated suites
// (files × tests × output lines) run by Jest, Vitest and pytest alone, with threepio, and with
// each peer reporter; wall time, CPU and peak RSS of the whole process tree, in rounds that run
// every variant once, in a different order each round. Overhead is the ratio to the framework
// alone within the same round: the geometric mean over the rounds with its 90 % interval
// (bootstrap), and the median.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureVenv } from '../packages/pytest-bridge/venv.mjs'
import { installPacked } from '../scripts/packed.mjs'

// Installed from packed tarballs into each generated suite, as users install them.
const JEST_REPORTER = '@threepio/jest-reporter'
const JEST_SETUP = '@threepio/jest-reporter/setup'
const VITEST_REPORTER = '@threepio/vitest-reporter'

const require = createRequire(import.meta.url)
const here = import.meta.dirname
const JEST = join(require.resolve('jest/package.json'), '../bin/jest.js')
const VITEST = join(require.resolve('vitest/package.json'), '../vitest.mjs')
const JEST_JUNIT = require.resolve('jest-junit')

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

export const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length)

/** A repeatable pseudo-random sequence in [0, 1) (mulberry32): the same orders and intervals every run. */
export function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `items` in an order drawn from `rnd` (Fisher–Yates): a new order each round. */
export function shuffled(items, rnd) {
  const order = [...items]
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  return order
}

/** 90 % interval of the geometric mean of `ratios`: 2,000 bootstrap resamples. */
export function interval(ratios) {
  const rnd = random(1)
  const means = []
  for (let b = 0; b < 2000; b++)
    means.push(geomean(ratios.map(() => ratios[Math.floor(rnd() * ratios.length)])))
  means.sort((a, b) => a - b)
  return [means[100], means[1899]]
}

function measure(command, args, cwd, env = {}) {
  const out = execFileSync('python3', [join(here, 'measure.py'), command, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env },
    encoding: 'utf8',
  })
  return JSON.parse(out)
}

/** A suite for every runner: `files` files of `tests` tests, each printing `lines` lines. */
function generate(dir, { files, tests, lines }) {
  for (let f = 0; f < files; f++) {
    const js = `describe('module ${f}', () => {
  for (let t = 0; t < ${tests}; t++) {
    test('case ' + t, () => {
      for (let l = 0; l < ${lines}; l++) console.log('module ${f} case', t, 'line', l)
      expect(t % 97).not.toBe(96)
    })
  }
})
`
    writeFileSync(join(dir, 'js', `m${f}.test.js`), js)
    writeFileSync(
      join(dir, 'py', `test_m${f}.py`),
      `import pytest\n\n@pytest.mark.parametrize("t", range(${tests}))\ndef test_case(t):\n    for line in range(${lines}):\n        print("module ${f} case", t, "line", line)\n    assert t % 97 != 96\n`,
    )
  }
  writeFileSync(join(dir, 'py', 'pytest.ini'), '[pytest]\n')
  // One config per runner; the reporters come from the environment.
  writeFileSync(
    join(dir, 'js', 'jest.config.cjs'),
    `const r = JSON.parse(process.env.BENCH_JEST || '{}')
module.exports = { testMatch: ['**/*.test.js'], reporters: ['default', ...(r.reporters || [])], setupFilesAfterEnv: r.setup || [] }
`,
  )
  writeFileSync(
    join(dir, 'js', 'vitest.config.mjs'),
    `export default { test: { globals: true, include: ['**/*.test.js'], reporters: ['default', ...JSON.parse(process.env.BENCH_VITEST || '[]')] } }
`,
  )
}

function variants(dir, python) {
  const js = join(dir, 'js')
  const py = join(dir, 'py')
  const out = (name) => join(dir, 'out', name)
  // `threepio run -- <command>`: the command with nothing configured, under the packed command.
  const cli = join(js, 'node_modules/@threepio/cli/bin/threepio.js')
  const wrapped = (run, command, args) =>
    run ? [process.execPath, [cli, 'run', '--', command, ...args]] : [command, args]
  const jest = (reporters, setup = [], run = false) => ({
    run: () =>
      measure(...wrapped(run, process.execPath, [JEST, '--ci']), js, {
        BENCH_JEST: JSON.stringify({ reporters, setup }),
        THREEPIO_DIR: out('3pio-jest'),
        JEST_JUNIT_OUTPUT_DIR: out('junit'),
      }),
  })
  const vitest = (reporters, run = false) => ({
    run: () =>
      measure(...wrapped(run, process.execPath, [VITEST, 'run']), js, {
        BENCH_VITEST: JSON.stringify(reporters),
        THREEPIO_DIR: out('3pio-vitest'),
      }),
  })
  const pytest = (args, run = false) => ({
    run: () =>
      measure(
        ...wrapped(run, python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args]),
        py,
        {
          THREEPIO_DIR: out('3pio-pytest'),
          // Bytecode caching on, as on a developer's machine (some CI images turn it off, and then
          // every run recompiles pytest's rewritten test modules, which hides any overhead).
          PYTHONDONTWRITEBYTECODE: '',
        },
      ),
  })
  return {
    Jest: {
      'Jest alone': jest([]),
      'threepio (reporter)': jest([JEST_REPORTER]),
      'threepio (reporter + live setup)': jest([JEST_REPORTER], [JEST_SETUP]),
      'threepio run (nothing configured)': jest([], [], true),
      'jest-junit': jest([JEST_JUNIT]),
    },
    Vitest: {
      'Vitest alone': vitest([]),
      threepio: vitest([VITEST_REPORTER]),
      'threepio run (nothing configured)': vitest([], true),
      'junit reporter': vitest([['junit', { outputFile: out('vitest-junit.xml') }]]),
      'json reporter': vitest([['json', { outputFile: out('vitest.json') }]]),
    },
    pytest: {
      'pytest alone': pytest([]),
      'threepio (-p threepio)': pytest(['-p', 'threepio']),
      'threepio run (nothing asked)': pytest([], true),
      '--junitxml': pytest([`--junitxml=${out('pytest-junit.xml')}`]),
      'pytest-reportlog': pytest([`--report-log=${out('pytest-reportlog.jsonl')}`]),
    },
  }
}

/**
 * The benchmark suite (`js/` with the reporters installed from packed tarballs, `py/`, `out/`)
 * in a new temporary folder: 20 files × 100 tests × 3 printed lines, or a small one for --quick.
 */
export function suite(quick, name) {
  const shape = quick ? { files: 4, tests: 25, lines: 2 } : { files: 20, tests: 100, lines: 3 }
  const dir = mkdtempSync(join(tmpdir(), `threepio-bench-${name}-`))
  for (const d of ['js', 'py', 'out']) mkdirSync(join(dir, d))
  generate(dir, shape)
  installPacked(join(dir, 'js'))
  return { dir, shape }
}

export async function benchOverhead({ quick, runners, repeats = quick ? 2 : 5 }) {
  const { dir, shape } = suite(quick, 'overhead')
  const bin = ensureVenv(9)
  spawnSync(join(bin, 'python'), ['-m', 'pip', 'install', '-q', 'pytest-reportlog'], {
    stdio: 'ignore',
  })
  const groups = variants(dir, join(bin, 'python'))
  const tests = shape.files * shape.tests
  console.log(
    `\nOverhead: ${tests.toLocaleString('en-US')} tests (${shape.files} files × ${shape.tests} tests × ${shape.lines} printed lines), ${repeats} rounds, each variant once a round in shuffled order; wall and CPU medians, [min–max]; overhead = ratio to the framework alone in the same round: geometric mean [90 % interval] and median; RSS = peak of any one process\n`,
  )
  console.log(
    '| runner | reporter | wall (s) | overhead (wall) | median | CPU (s) | overhead (CPU) | peak RSS (MiB) | exit |',
  )
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|')
  const summary = {}
  for (const [runner, group] of Object.entries(groups)) {
    if (runners && !runners.includes(runner)) continue
    const names = Object.keys(group)
    const results = Object.fromEntries(names.map((n) => [n, []]))
    for (const n of names) group[n].run() // warm-up: caches, transforms, bytecode
    // A new order each round: no variant always runs after the same one, or first.
    const rnd = random(runner.length)
    for (let r = 0; r < repeats; r++)
      for (const n of shuffled(names, rnd)) results[n].push(group[n].run())
    const base = results[names[0]]
    summary[runner] = {}
    for (const n of names) {
      const rs = results[n]
      const wall = rs.map((x) => x.wall)
      const cpu = rs.map((x) => x.cpu)
      const wallRatios = rs.map((x, i) => x.wall / base[i].wall)
      const wallRatio = geomean(wallRatios)
      const cpuRatio = geomean(rs.map((x, i) => x.cpu / base[i].cpu))
      const [low, high] = interval(wallRatios)
      summary[runner][n] = { wallRatio, wallInterval: [low, high], cpuRatio }
      const signed = (x) => `${x >= 1 ? '+' : '−'}${Math.abs((x - 1) * 100).toFixed(1)}`
      const pct = (x) => (n === names[0] ? '—' : `${signed(x)} %`)
      const wallCell =
        n === names[0] ? '—' : `${signed(wallRatio)} % [${signed(low)}, ${signed(high)}]`
      console.log(
        `| ${runner} | ${n} | ${median(wall).toFixed(2)} [${Math.min(...wall).toFixed(2)}–${Math.max(...wall).toFixed(2)}] | ${wallCell} | ${pct(median(wallRatios))} | ${median(cpu).toFixed(2)} [${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}] | ${pct(cpuRatio)} | ${median(rs.map((x) => x.maxRssMiB)).toFixed(0)} | ${[...new Set(rs.map((x) => x.status))].join(',')} |`,
      )
    }
  }
  rmSync(dir, { recursive: true, force: true })
  return summary
}
