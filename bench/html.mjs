// report.html at scale, beside the HTML reports people use: a pytest suite of 200,000 tests
// (2,000 files × 100) and a Jest suite of 20,000, each run once with threepio and the peer report
// (pytest-html, jest-html-reporters) in the same run. For each page: its size on disk, and in
// headless Chromium the time from navigation to the first rows of tests on screen, and for
// threepio's page the time a filter takes to show its rows.
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
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

async function filterTime(page) {
  const before = await page.textContent('.shown')
  const start = Date.now()
  await page.fill('input[type=search]', 'case 7 ')
  await page.waitForFunction(
    (was) => globalThis.document.querySelector('.shown')?.textContent !== was,
    before,
    { timeout: LIMIT_MS },
  )
  return Date.now() - start
}

/** pytest with threepio and pytest-html, in a virtualenv of its own: the two pages. */
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
  const html = join(dir, 'pytest-html.html')
  spawnSync(
    python,
    [
      '-m',
      'pytest',
      '-q',
      '-p',
      'threepio',
      '-p',
      'no:cacheprovider',
      '--html',
      html,
      '--self-contained-html',
    ],
    { cwd: py, stdio: 'ignore', env: { ...process.env, THREEPIO_DIR: join(dir, 'out-py') } },
  )
  return [
    ['pytest', 'threepio report.html', join(dir, 'out-py/runs/latest/report.html'), '.row'],
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
  spawnSync(process.execPath, [JEST, '--ci'], { cwd: js, stdio: 'ignore', env })
  return [
    ['Jest', 'threepio report.html', join(dir, 'out-js/runs/latest/report.html'), '.row'],
    ['Jest', 'jest-html-reporters 3', join(dir, 'jest-html/report.html'), '.ant-table-row'],
  ]
}

export async function benchHtml({ quick }) {
  const shape = quick ? { files: 100, tests: 100 } : { files: 2000, tests: 100 }
  const dir = mkdtempSync(join(tmpdir(), 'threepio-bench-html-'))
  const browser = await chromium.launch({ executablePath: CHROMIUM })
  try {
    // Jest runs 2,000 files in band on two cores for over 15 minutes (slower as it goes, with or
    // without either report): its suite is a tenth of pytest's.
    const jestShape = { files: shape.files / 10, tests: shape.tests }
    const rows = [...pytestRun(dir, shape), ...jestRun(dir, jestShape)]
    console.log(
      `\nHTML reports: pytest ${(shape.files * shape.tests).toLocaleString('en-US')} tests, Jest ${(jestShape.files * shape.tests).toLocaleString('en-US')} (100 a file, 0.2 % failing), one run each; open = navigation to the first rows of tests on screen in headless Chromium; filter = typing a name until the rows show\n`,
    )
    console.log('| suite | report | size (MiB) | open (s) | filter (s) |')
    console.log('|---|---|---:|---:|---:|')
    for (const [suite, name, file, selector] of rows) {
      const size = name.startsWith('jest-html') ? du(join(dir, 'jest-html')) : du(file)
      const { ms, page } = existsSync(file) ? await openTime(browser, file, selector) : { ms: null }
      const filter = page && name.startsWith('threepio') ? await filterTime(page) : null
      await page?.close()
      const s = (x) => (x === null ? `> ${LIMIT_MS / 1000} or none` : (x / 1000).toFixed(2))
      console.log(
        `| ${suite} | ${name} | ${mib(size)} | ${s(ms)} | ${filter === null ? '—' : s(filter)} |`,
      )
    }
  } finally {
    await browser.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
