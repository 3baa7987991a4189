// `threepio serve` following a large run: a pytest suite of 200,000 tests (200 files × 1,000),
// run once with `-p threepio` alone and once with `threepio serve` following it, a page open in
// headless Chromium and a second client reading the page's stream. For each change the server
// sends: how long after the last test it holds ended (its `test-end` event's time) it arrived,
// and its size; the server's CPU time; and what following cost the run's wall time.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readLatest, runPaths } from '@threepio/core'
import { chromium } from 'playwright-core'
import { ensureVenv } from '../packages/pytest-bridge/venv.mjs'

const CLI = join(import.meta.dirname, '../packages/cli/bin/threepio.js')
const CHROMIUM = process.env.THREEPIO_CHROMIUM ?? '/usr/bin/chromium'
const TICKS = 100 // clock ticks a second (USER_HZ), for /proc/<pid>/stat

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
const exited = (child) => new Promise((resolve) => child.once('exit', resolve))

/** CPU seconds a process has used so far (user + system). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS
}

/** The run's paths once it has a directory. */
async function pathsOf(out, child) {
  for (;;) {
    const id = readLatest(out)
    if (id) return runPaths(out, id)
    if (child.exitCode !== null) throw new Error('pytest ended before its run directory appeared')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Reads the page's stream: each message's arrival time, tests and bytes, until `done`. */
function readStream(url, messages) {
  const { host, port } = new URL(url)
  const req = request({ host: '127.0.0.1', port, path: '/events', headers: { host } }, (res) => {
    let buffer = ''
    res.setEncoding('utf8')
    res.on('data', (chunk) => {
      buffer += chunk
      for (let end; (end = buffer.indexOf('\n\n')) >= 0; buffer = buffer.slice(end + 2)) {
        const at = Date.now()
        const body = buffer.slice('data: '.length, end)
        const data = JSON.parse(body)
        const tests = data.files.reduce((n, f) => n + f.statuses.length, 0)
        messages.push({ at, tests, bytes: body.length, status: data.run.status })
      }
    })
  })
  req.on('error', () => {})
  req.end()
  return req
}

async function followed(dir, python, out, browser) {
  const start = Date.now()
  const env = { ...process.env, THREEPIO_DIR: out }
  const pytest = spawn(python, ['-m', 'pytest', '-q', '-p', 'threepio'], {
    cwd: dir,
    env,
    stdio: 'ignore',
  })
  const ran = exited(pytest)
  const paths = await pathsOf(out, pytest)
  const server = spawn(process.execPath, [CLI, 'serve', paths.runDir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const url = await Promise.race([
    new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim()))),
    exited(server).then((code) => Promise.reject(new Error(`threepio serve ended (${code})`))),
  ])
  const page = await browser.newPage()
  await page.goto(url)
  const messages = []
  const stream = readStream(url, messages)
  await ran
  const wall = (Date.now() - start) / 1000
  await page.waitForFunction(
    () => !/RUNNING/.test(globalThis.document.querySelector('h1')?.textContent ?? ''),
    undefined,
    { timeout: 300_000 },
  )
  const cpu = cpuSeconds(server.pid)
  stream.destroy()
  await page.close()
  server.kill('SIGTERM')
  await exited(server)
  return { wall, cpu, messages, events: paths.events }
}

/**
 * Each message's delay after the end of the last test it holds (ms): those sent while the run
 * went, sorted, and the one with the run's end (which the run's own end work comes before).
 */
function delays(messages, events) {
  const ends = []
  for (const line of readFileSync(events, 'utf8').split('\n'))
    if (line.includes('"test-end"')) ends.push(JSON.parse(line).time)
  const delay = (m) => Math.round(m.at - ends[m.tests - 1])
  const running = messages.filter((m) => m.tests > 0 && m.status === 'RUNNING')
  const last = messages.findLast((m) => m.status !== 'RUNNING')
  return { running: running.map(delay).sort((a, b) => a - b), last: last && delay(last) }
}

export async function benchServe({ quick }) {
  const files = quick ? 20 : 200
  const dir = mkdtempSync(join(tmpdir(), 'threepio-bench-serve-'))
  mkdirSync(join(dir, 'tests'))
  writeFileSync(join(dir, 'pytest.ini'), '[pytest]\n')
  for (let f = 0; f < files; f++)
    writeFileSync(
      join(dir, 'tests', `test_mod${f}.py`),
      `import pytest\n\n@pytest.mark.parametrize("i", range(1000))\ndef test_case(i):\n    assert i % 997 != 5\n`,
    )
  const python = join(ensureVenv(9), 'python')
  const browser = await chromium.launch({ executablePath: CHROMIUM })
  try {
    const start = Date.now()
    const bare = spawn(python, ['-m', 'pytest', '-q', '-p', 'threepio'], {
      cwd: dir,
      env: { ...process.env, THREEPIO_DIR: join(dir, 'alone') },
      stdio: 'ignore',
    })
    await exited(bare)
    const alone = (Date.now() - start) / 1000
    const { wall, cpu, messages, events } = await followed(dir, python, join(dir, 'out'), browser)
    const d = delays(messages, events)
    const sizes = messages.map((m) => m.bytes).sort((a, b) => a - b)
    console.log(
      `\nthreepio serve following pytest, ${(files * 1000).toLocaleString('en-US')} tests (a page open in headless Chromium, and a client reading the stream)\n`,
    )
    console.log(
      '| run alone (s) | run followed (s) | server CPU (s) | messages | delay while running p50 / p95 / max (ms) | delay of the run end (ms) | largest message (MiB) |',
    )
    console.log('|---:|---:|---:|---:|---:|---:|---:|')
    console.log(
      `| ${alone.toFixed(1)} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${messages.length} | ${quantile(d.running, 0.5)} / ${quantile(d.running, 0.95)} / ${d.running.at(-1)} | ${d.last} | ${(sizes.at(-1) / 1048576).toFixed(1)} |`,
    )
  } finally {
    await browser.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
