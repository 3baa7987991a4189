/// <reference lib="dom" />
/**
 * report.html in headless Chromium (Debian's `chromium`, driven by playwright-core), on a run of
 * each runner and on a fixture whose names, errors and output are markup and script: what the
 * page shows equals run.json, its filters count what run.json counts, it logs no error, requests
 * nothing, and no name runs as code.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES, run, settledSummary, type RunResult } from './helpers.js'
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
