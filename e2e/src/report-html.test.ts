/// <reference lib="dom" />
/**
 * report.html in headless Chromium (Debian's `chromium`, driven by playwright-core), on a run of
 * each runner and on a fixture whose names, errors and output are markup and script: what the
 * page shows equals run.json, its filters count what run.json counts, it logs no error, requests
 * nothing, and no name runs as code.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, watch, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { readLatest } from '@threepio/core'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, FIXTURES, run, settledSummary, tempDir, type RunResult } from './helpers.js'
import { runJest, runVitest } from './runners.js'

let browser: Browser
let python = ''
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.THREEPIO_CHROMIUM ?? '/usr/bin/chromium',
  })
  const { ensureVenv } = (await import(join(FIXTURES, '../packages/pytest-bridge/venv.mjs'))) as {
    ensureVenv: (major: number) => string
  }
  python = join(ensureVenv(9), 'python')
})
afterAll(async () => {
  await browser?.close()
})

const WORDS = ['failed', 'error', 'passed', 'skipped', 'todo', 'xfailed', 'xpassed'] as const

/** The run's report.html open in a page, with what it logged and requested. */
async function open(runDir: string, colorScheme: 'light' | 'dark' = 'light') {
  const page = await browser.newPage({ colorScheme })
  const errors: string[] = []
  const requests: string[] = []
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('request', (r) => requests.push(r.url()))
  const url = pathToFileURL(join(runDir, 'report.html')).href
  await page.goto(url)
  await page.waitForSelector('section.tests')
  return { page, errors, others: () => requests.filter((u) => u !== url) }
}

const shown = async (page: Page) => Number((await page.textContent('.shown'))!.replace(/\D/g, ''))

/** What the page says equals run.json; each status filter shows as many tests as run.json counts. */
async function expectPageOfRun(r: RunResult): Promise<Page> {
  expect(existsSync(join(r.runDir, 'report.html'))).toBe(true)
  const { page, errors, others } = await open(r.runDir)
  const summary = r.summary as { status: string; headline: string; counts: Record<string, number> }
  expect(await page.textContent('h1')).toBe(`${summary.status} ${summary.headline}`)
  const rows = WORDS.reduce((n, w) => n + (summary.counts[w] ?? 0), 0)
  expect(await page.textContent('section.tests h2')).toBe(`Tests (${rows.toLocaleString('en-US')})`)
  expect(await shown(page)).toBe(rows)
  for (const word of WORDS) {
    const chip = page.locator(`button.chip[data-status="${word}"]`)
    if (!summary.counts[word]) {
      expect(await chip.count()).toBe(0)
      continue
    }
    await chip.click()
    expect(await shown(page), word).toBe(summary.counts[word])
    const statuses = await page.$$eval('.row', (els) =>
      els.map((e) => (e as HTMLElement).dataset.status),
    )
    expect(new Set(statuses)).toEqual(new Set([word]))
    await chip.click()
  }
  expect(errors).toEqual([])
  expect(others()).toEqual([])
  return page
}

describe('report.html in Chromium', () => {
  it('Vitest 4: the page equals run.json, and its filters count as run.json does', async () => {
    await expectPageOfRun(await runVitest(4, 'console-output'))
  })

  it('Jest 30: the page equals run.json, and its filters count as run.json does', async () => {
    await expectPageOfRun(await runJest(30, 'failing-diff'))
  })

  it('pytest 9: the page equals run.json, and its filters count as run.json does', async () => {
    const r = await run(python, ['-m', 'pytest'], { cwd: join(FIXTURES, 'pytest/outcomes') })
    const summary = await settledSummary(r.runDir, (s) => s.status !== 'RUNNING')
    await expectPageOfRun({ ...r, summary: summary as RunResult['summary'] })
  })

  it('markup and script in names, errors and output stay text, and never run', async () => {
    const r = await runVitest(4, 'html-hostile')
    const page = await expectPageOfRun(r)
    await page.fill('input[type=search]', 'onerror')
    await page.waitForFunction(() => document.querySelector('.shown')?.textContent === '1 shown')
    expect(await page.textContent('.row .name')).toBe('<img src=x onerror="window.__pwned = 1">')
    await page.fill('input[type=search]', '')
    await page.waitForFunction(() => document.querySelector('.shown')?.textContent === '3 shown')
    for (const row of await page.$$('.row')) await row.hover()
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await page.textContent('pre.error')).toContain(
      '</script><script>window.__pwned = 3</script>',
    )
    expect(await page.$$('img, b, script:not([type])')).toHaveLength(1) // the page's own script
  })
})

describe('threepio serve in Chromium', () => {
  it('shows a running suite as it is written, its logs, and nothing else', async () => {
    const out = join(tempDir(), '.3pio')
    const gate = join(tempDir(), 'gate')
    let served: ChildProcess | undefined
    let page: Page | undefined
    let watching: Promise<void> | undefined
    const r = await runVitest(4, 'gated', {
      env: { THREEPIO_DIR: out, GATE: gate },
      onStart: () =>
        void (watching = (async () => {
          const runDir = await newRunDir(out)
          served = spawn(process.execPath, [CLI, 'serve', runDir], {
            stdio: ['ignore', 'pipe', 'pipe'],
          })
          const url = (await firstLine(served.stdout!)).trim()
          expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
          await expectRefused(url)
          const opened = await openUrl(url)
          page = opened.page
          // The first test's result while the run goes on; then the gate opens and the run ends.
          await page.waitForFunction(
            () => document.querySelector('.row.passed .name')?.textContent === 'passes at once',
          )
          expect(await page.textContent('h1')).toMatch(/^RUNNING /)
          writeFileSync(gate, '')
          await page.waitForFunction(() =>
            document.querySelector('h1')?.textContent?.startsWith('PASSED'),
          )
          expect(opened.errors).toEqual([])
          const log = await page.request.get(new URL('logs/gate.test.js.log', url).href)
          expect(await log.text()).toContain('✓ PASSED passes at once')
        })()),
    })
    await watching
    expect(r.exitCode).toBe(0)
    await page?.waitForFunction(() => document.querySelectorAll('.row').length === 2)
    expect(await page?.textContent('h1')).toBe(`PASSED ${r.summary.headline as string}`)
    served?.kill('SIGINT')
    const [code] = (await once(served!, 'exit')) as [number | null]
    expect(code).toBe(0)
  })
})

/** The run directory a run writes under `out`, once it names it (watched, not polled). */
async function newRunDir(out: string): Promise<string> {
  const named = () => {
    const id = readLatest(out)
    return id && existsSync(join(out, 'runs', id, 'events.jsonl'))
      ? join(out, 'runs', id)
      : undefined
  }
  return new Promise((resolve) => {
    const watcher = watch(dirname(out), { recursive: true }, () => {
      const dir = named()
      if (dir) {
        watcher.close()
        resolve(dir)
      }
    })
    const dir = named()
    if (dir) {
      watcher.close()
      resolve(dir)
    }
  })
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of stream) {
    text += String(chunk)
    if (text.includes('\n')) return text.slice(0, text.indexOf('\n'))
  }
  return text
}

async function openUrl(url: string) {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(url)
  return { page, errors }
}

/** Paths outside the logs, other methods, hosts and origins: refused. */
async function expectRefused(url: string): Promise<void> {
  const at = (path: string) => new URL(path, url).href
  const status = async (path: string, init: RequestInit = {}) =>
    (await fetch(at(path), init)).status
  expect(await status('/logs/..%2Fevents.jsonl')).toBe(404)
  expect(await status('/events.jsonl')).toBe(404)
  expect(await status('/logs/%2e%2e/%2e%2e/%2e%2e/etc/passwd')).toBe(404)
  expect(await status('/', { method: 'POST' })).toBe(405)
  expect(await status('/', { headers: { Origin: 'http://evil.example' } })).toBe(403)
  const { request } = await import('node:http')
  const hostStatus = await new Promise<number>((resolve) =>
    request(at('/'), { headers: { Host: 'evil.example' } }, (res) =>
      resolve(res.statusCode!),
    ).end(),
  )
  expect(hostStatus).toBe(403)
}
