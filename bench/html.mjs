// report.html at scale, beside the HTML reports people use: a pytest suite and a Jest suite of
// 200,000 tests each (2,000 files × 100), each run once with threepio and the peer report
// (pytest-html, jest-html-reporters) in the same run. For each page: its size on disk, and in
// headless Chromium the time from navigation to the first rows of tests on screen, and for
// threepio's page the time a filter takes to show its rows. threepio's pytest page is measured
// twice: on a first run, and with 20 runs in the history (the chart and each test's outcomes).
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { installPacked } from '../scripts/packed.mjs'

const require = createRequire(import.meta.url)
const JEST = join(require.resolve('jest/package.json'), '../bin/jest.js')
const JEST_HTML = require.resolve('jest-html-reporters')
const CHROMIUM = process.env.THREEPIO_CHROMIUM ?? '/usr/bin/chromium'
const LIMIT_MS = 180_000

const mib = (bytes) => (bytes / 1048576).toFixed(1)

function du(path) {
  if (!existsSync(path)) return 0
  const s = statSync(path)
  if (!s.isDirectory()) return s.size
  return readdirSync(path).reduce((n, e) => n + du(join(path, e)), 0)
}

function generate(dir, shape, lang) {
  for (let f = 0; f < shape.files; f++) {
    const lines = []
    for (let t = 0; t < shape.tests; t++) {
      const fails = (f * shape.tests + t) % 500 === 7 // 0.2 % fail
      lines.push(
        lang === 'py'
          ? `def test_case_${t}():\n    assert ${fails ? '1 == 2' : 'True'}\n`
          : `test('handles case ${t} of module ${f}', () => { expect(${fails ? '1' : '2'}).toBe(2) })`,
      )
    }
    const name = lang === 'py' ? `test_module_${f}.py` : `module-${f}.test.js`
    writeFileSync(join(dir, name), lines.join('\n') + '\n')
  }
}

/** Milliseconds from navigation to `selector` on screen (or null past the limit). */
async function openTime(browser, file, selector) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const start = Date.now()
  try {
    await page.goto(pathToFileURL(file).href, { timeout: LIMIT_MS })
    await page.waitForSelector(selector, { timeout: LIMIT_MS, state: 'visible' })
    return { ms: Date.now() - start, page }
  } catch {
    await page.close()
    return { ms: null, page: undefined }
  }
}

/** Milliseconds from an action on the page until the count of rows shown changes. */
async function untilShownChanges(page, action) {
  const before = await page.textContent('.shown')
  const start = Date.now()
  await action()
  await page.waitForFunction(
    (was) => globalThis.document.querySelector('.shown')?.textContent !== was,
    before,
    { timeout: LIMIT_MS },
  )
  return Date.now() - start
}

/** Typing a name until its rows show; then, with the search cleared, the failed chip. */
async function filterTimes(page) {
  const filter = await untilShownChanges(page, () => page.fill('input[type=search]', 'case 7 '))
  await untilShownChanges(page, () => page.fill('input[type=search]', ''))
  const chip = await untilShownChanges(page, () => page.click('button.chip[data-status="failed"]'))
  return { filter, chip }
}

/**
 * Nineteen earlier runs in the history of `out`: copies of its one record an hour apart, each
 * failing a different 0.5 % of the tests, so that the next run's page has a full chart and each
 * test's outcomes in it. (A record's file is `<start ms, whole, 15 digits>_<run id>.json.gz`.)
 */
function fillHistory(out) {
  const runs = join(out, 'history', 'runs')
  const [name] = readdirSync(runs)
  const record = JSON.parse(gunzipSync(readFileSync(join(runs, name))).toString('utf8'))
  for (let i = 1; i < 20; i++) {
    const time = Math.round(record.time) - i * 3_600_000
    const stamp = new Date(time).toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '-')
    const runId = `${stamp}_${i.toString(16).padStart(8, '0')}`
    const files = record.files.map((f, n) => ({
      ...f,
      statuses: [...f.statuses]
        .map((l, t) => ((n * 100 + t + i * 37) % 200 === 0 ? 'f' : l))
        .join(''),
    }))
    const file = `${String(time).padStart(15, '0')}_${runId}.json.gz`
    writeFileSync(join(runs, file), gzipSync(JSON.stringify({ ...record, runId, time, files })))
  }
}

/**
 * pytest with threepio and pytest-html, in a virtualenv of its own: the two pages. Then the
 * same suite again with threepio alone, after 19 more runs in the history: its page with all of
 * the chart's runs.
 */
function pytestRun(dir, shape) {
  const py = join(dir, 'py')
  mkdirSync(py)
  generate(py, shape, 'py')
  const venv = join(dir, 'venv')
  execFileSync('python3', ['-m', 'venv', venv])
  const python = join(venv, 'bin', 'python')
  const bridge = join(import.meta.dirname, '../packages/pytest-bridge')
  const pip = ['-m', 'pip', 'install', '-q', '--disable-pip-version-check']
  execFileSync(python, [...pip, 'pytest>=9,<10', 'pytest-html', bridge], { stdio: 'ignore' })
  const out = join(dir, 'out-py')
  const pytest = (what, args) => {
    const start = Date.now()
    const argv = ['-m', 'pytest', '-q', '-p', 'threepio', '-p', 'no:cacheprovider', ...args]
    const env = { ...process.env, THREEPIO_DIR: out }
    spawnSync(python, argv, { cwd: py, stdio: 'ignore', env })
    console.log(`pytest run ${what}: ${((Date.now() - start) / 1000).toFixed(0)} s`)
    return realpathSync(join(out, 'runs/latest/report.html'))
  }
  const html = join(dir, 'pytest-html.html')
  const first = pytest('with both reports', ['--html', html, '--self-contained-html'])
  fillHistory(out)
  const later = pytest('with threepio, 20 runs in the history', [])
  return [
    ['pytest', 'threepio report.html', first, '.row'],
    ['pytest', 'threepio report.html, 20 runs in the history', later, '.row'],
    [
      'pytest',
      'pytest-html 4 (self-contained)',
      html,
      '#results-table tbody tr, tbody.results-table-row',
    ],
  ]
}

/** Jest with threepio and jest-html-reporters: the two pages. */
function jestRun(dir, shape) {
  const js = join(dir, 'js')
  mkdirSync(js)
  generate(js, shape, 'js')
  installPacked(js)
  const peer = JSON.stringify([
    JEST_HTML,
    { publicPath: join(dir, 'jest-html'), filename: 'report.html' },
  ])
  writeFileSync(
    join(js, 'jest.config.cjs'),
    `module.exports = { testMatch: ['**/*.test.js'], reporters: ['summary', '@threepio/jest-reporter', ${peer}] }\n`,
  )
  const env = { ...process.env, THREEPIO_DIR: join(dir, 'out-js') }
  // Two workers: in band, Jest slows file by file over 2,000 files (3 s a file after 16 minutes,
  // with either report or none).
  const start = Date.now()
  spawnSync(process.execPath, [JEST, '--ci', '--maxWorkers=2'], { cwd: js, stdio: 'ignore', env })
  console.log(`Jest run with both reports: ${((Date.now() - start) / 1000).toFixed(0)} s`)
  return [
    ['Jest', 'threepio report.html', join(dir, 'out-js/runs/latest/report.html'), '.row'],
    ['Jest', 'jest-html-reporters 3', join(dir, 'jest-html/report.html'), '.ant-table-row'],
  ]
}

export async function benchHtml({ quick, runners = ['pytest', 'Jest'] }) {
  const shape = quick ? { files: 100, tests: 100 } : { files: 2000, tests: 100 }
  const dir = mkdtempSync(join(tmpdir(), 'threepio-bench-html-'))
  const browser = await chromium.launch({ executablePath: CHROMIUM })
  try {
    const rows = [
      ...(runners.includes('pytest') ? pytestRun(dir, shape) : []),
      ...(runners.includes('Jest') ? jestRun(dir, shape) : []),
    ]
    console.log(
      `\nHTML reports: ${runners.join(' and ')}, ${(shape.files * shape.tests).toLocaleString('en-US')} tests each (100 a file, 0.2 % failing), one run each; open = navigation to the first rows of tests on screen in headless Chromium; filter = typing a name until the rows show; chip = the failed chip, until its rows show\n`,
    )
    console.log('| suite | report | size (MiB) | open (s) | filter / chip (s) |')
    console.log('|---|---|---:|---:|---:|')
    for (const [suite, name, file, selector] of rows) {
      const size = name.startsWith('jest-html') ? du(join(dir, 'jest-html')) : du(file)
      const { ms, page } = existsSync(file) ? await openTime(browser, file, selector) : { ms: null }
      const times = page && name.startsWith('threepio') ? await filterTimes(page) : null
      await page?.close()
      const s = (x) => (x === null ? `> ${LIMIT_MS / 1000} or none` : (x / 1000).toFixed(2))
      console.log(
        `| ${suite} | ${name} | ${mib(size)} | ${s(ms)} | ${times ? `${s(times.filter)} / ${s(times.chip)}` : '—'} |`,
      )
    }
  } finally {
    await browser.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
