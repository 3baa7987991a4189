/**
 * ThreadRecorder as reporters load it: the built module (dist), its worker thread, real files.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { ThreadRecorder as ThreadRecorderType } from './thread-recorder.js'

const dist = join(import.meta.dirname, '../..', 'dist', 'thread.js')
const { ThreadRecorder } = (await import(pathToFileURL(dist).href)) as {
  ThreadRecorder: typeof ThreadRecorderType
}

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'threepio-thread-'))
  dirs.push(d)
  return d
}

/** A recorder in this process for a run under `root`, its stderr kept in `stderr`. */
function start(
  root: string,
  stderr: string[],
  options: { quiet?: boolean } = {},
  env?: Record<string, string>,
) {
  const r = ThreadRecorder.start({
    runner: { name: 'jest', version: '30.0.0' },
    reporter: { name: 'test', version: '0' },
    rootDir: root,
    options: { outputDir: join(root, '.3pio'), ...options },
    handleExit: false,
    stderr: (t) => stderr.push(t),
    ...(env ? { env } : {}),
  })
  expect(r).toBeDefined()
  return r!
}

/** Source of a script's `ThreadRecorder.start` call for a run under `root`, exit handling on. */
function startSource(root: string): string {
  return `ThreadRecorder.start({
    runner: { name: 'jest', version: '30.0.0' },
    reporter: { name: 'test', version: '0' },
    rootDir: ${JSON.stringify(root)},
    options: { outputDir: ${JSON.stringify(join(root, '.3pio'))} },
  })`
}

function events(runDir: string): Array<Record<string, unknown>> {
  return readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

describe('ThreadRecorder', () => {
  it('records bursts far larger than its ring, and output longer than one event holds, in order', () => {
    const root = tempDir()
    const stderr: string[] = []
    const r = start(root, stderr)
    r.emit({ type: 'file-start', file: 'a.test.js' })
    // One synchronous burst of 12 MB (the ring holds 4 MiB): this thread waits for room.
    const line = 'é'.repeat(2000) + '\n'
    for (let i = 0; i < 3000; i++)
      r.emit({ type: 'output', file: 'a.test.js', stream: 'stdout', text: `${i} ${line}` })
    const huge = 'x'.repeat(600 * 1024) + '\n' // split into parts of 256 Ki characters
    r.emit({ type: 'output', file: 'a.test.js', stream: 'stderr', text: huge })
    r.emit({
      type: 'test-end',
      file: 'a.test.js',
      test: { id: 'a.test.js::t', name: 't', suite: [] },
      status: 'passed',
    })
    r.emit({ type: 'file-end', file: 'a.test.js' })
    r.end({ status: 'passed' })
    const all = events(r.paths.runDir)
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1))
    const outputs = all.filter((e) => e.type === 'output')
    const stdout = outputs.filter((e) => e.stream === 'stdout')
    // Lines taken together are one event, up to what an event holds.
    expect(stdout.length).toBeLessThan(3000)
    expect(outputs.every((e) => String(e.text).length <= 256 * 1024)).toBe(true)
    // Every byte of each line, in order, also where a line wraps round the ring's end.
    expect(stdout.map((e) => e.text).join('')).toBe(
      Array.from({ length: 3000 }, (_, i) => `${i} ${line}`).join(''),
    )
    expect(
      outputs
        .filter((e) => e.stream === 'stderr')
        .map((e) => e.text)
        .join(''),
    ).toBe(huge)
    expect(all.at(-1)).toMatchObject({ type: 'run-end', status: 'passed' })
    const log = readFileSync(join(r.paths.runDir, 'logs', 'a.test.js.log'), 'utf8')
    expect(log).toContain(`2999 ${line}`)
    expect(log).toContain(huge.slice(0, 1000))
    expect(stderr.join('')).not.toContain('warning')
  })

  it('drops (and counts) only what a worker that took nothing for 5 s had not begun to take, keeping lines whole', () => {
    const root = tempDir()
    const stderr: string[] = []
    // The worker's first write waits 6 s: a disk that stops answering.
    const r = start(root, stderr, {}, { THREEPIO_SIMULATE_FAULT: 'HANG@0+1' })
    r.emit({ type: 'file-start', file: 'a.test.js' })
    // 16 MB meanwhile: more than the ring (4 MiB) and what this thread holds (8 MiB) together.
    const line = 'x'.repeat(100 * 1024)
    const n = 160
    for (let i = 0; i < n; i++)
      r.emit({ type: 'output', file: 'a.test.js', stream: 'stdout', text: `${i} ${line}\n` })
    r.emit({ type: 'file-end', file: 'a.test.js' })
    r.end({ status: 'passed' })
    const all = events(r.paths.runDir)
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1))
    const drops = all.filter((e) => e.type === 'diagnostic' && e.code === 'EVENTS_DROPPED')
    expect(drops.length).toBeGreaterThan(0)
    const dropped = drops.reduce(
      (sum, e) => sum + Number(/dropped (\d+) event/.exec(String(e.message))?.[1]),
      0,
    )
    // What was kept: whole lines, in order; with what was counted as dropped, every line.
    const kept = all
      .filter((e) => e.type === 'output')
      .map((e) => String(e.text))
      .join('')
      .split('\n')
      .slice(0, -1)
    expect(kept.every((l) => /^\d+ x+$/.test(l) && l.endsWith(' ' + line))).toBe(true)
    const numbers = kept.map((l) => Number(l.split(' ')[0]))
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b))
    expect(dropped).toBeGreaterThan(0)
    expect(kept.length + dropped).toBe(n)
    expect(all.filter((e) => e.type === 'file-end')).toHaveLength(1)
    expect(all.at(-1)).toMatchObject({ type: 'run-end', status: 'passed' })
    // One warning, however many times events were dropped.
    const warnings = stderr.join('').match(/warning/g) ?? []
    expect(warnings).toHaveLength(1)
    expect(stderr.join('')).toMatch(/dropped \d+ event\(s\).*record is incomplete/)
  }, 30_000)

  it("records a test's consecutive lines to one stream as one event, and keeps apart what differs", () => {
    const root = tempDir()
    const r = start(root, [])
    const file = 'a.test.js'
    const t = (n: number) => ({ id: `${file}::t${n}`, name: `t${n}`, suite: [] })
    const out = (n: number, stream: 'stdout' | 'stderr', text: string) =>
      r.emit({ type: 'output', file, testId: t(n).id, stream, text })
    r.emit({ type: 'file-start', file })
    for (let i = 0; i < 500; i++) out(1, 'stdout', `line ${i}\n`)
    out(1, 'stderr', 'to stderr\n')
    out(2, 'stdout', 'second test\n')
    r.emit({ type: 'test-end', file, test: t(1), status: 'passed' })
    out(2, 'stdout', 'after an event\n')
    r.emit({ type: 'output', file, stream: 'stdout', text: 'outside the tests\n' })
    r.emit({ type: 'file-end', file })
    r.end({ status: 'passed' })
    const all = events(r.paths.runDir).filter((e) => e.type === 'output' || e.type === 'test-end')
    // A test's lines come microseconds apart: the worker takes them together (every 20 ms).
    expect(all.length).toBeLessThan(500)
    const key = (e: Record<string, unknown>) =>
      e.type === 'output' ? `${String(e.testId)} ${String(e.stream)}` : String(e.type)
    const runs = all.map(key).filter((k, i, keys) => k !== keys[i - 1])
    expect(runs).toEqual([
      `${file}::t1 stdout`,
      `${file}::t1 stderr`,
      `${file}::t2 stdout`,
      'test-end',
      `${file}::t2 stdout`,
      'undefined stdout',
    ])
    const text = all.filter((e) => key(e) === `${file}::t1 stdout`).map((e) => e.text)
    expect(text.join('')).toBe(Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join(''))
    const log = readFileSync(join(r.paths.runDir, 'logs', 'a.test.js.log'), 'utf8')
    expect(log).toContain('line 0\nline 1\n')
    expect(log).toContain('line 499\n')
  })

  it('a line in the ring that is not an event: one diagnostic in its place, and the events around it kept in order', () => {
    const root = tempDir()
    const stderr: string[] = []
    const r = start(root, stderr)
    const file = 'a.test.js'
    r.emit({ type: 'file-start', file })
    r.emit({ type: 'output', file, stream: 'stdout', text: 'before\n' })
    // What no event encodes to (JSON.stringify's output always parses): only a fault in this
    // thread's encoding could put it there, so it goes in below emit.
    ;(r as unknown as { ring: { put(line: string): void } }).ring.put(
      '{"type":"output","text":"cut sh',
    )
    r.emit({ type: 'output', file, stream: 'stdout', text: 'after\n' })
    r.emit({ type: 'file-end', file })
    r.end({ status: 'passed' })
    const all = events(r.paths.runDir)
    const kinds = all.map((e) => (e.type === 'output' ? String(e.text) : String(e.type)))
    expect(kinds).toEqual([
      'run-start',
      'file-start',
      'before\n',
      'diagnostic',
      'after\n',
      'file-end',
      'run-end',
    ])
    expect(all[3]).toMatchObject({ level: 'error' })
    expect(String(all[3]!.message)).toMatch(/^an event could not be read back: SyntaxError/)
    expect(stderr.filter((t) => t.includes('warning'))).toHaveLength(1)
  })

  it("prints the worker's warning once, also when the run ends before its message is read", async () => {
    const root = tempDir()
    const stderr: string[] = []
    const r = start(root, stderr, { quiet: true })
    const pause = new Int32Array(new SharedArrayBuffer(4))
    r.emit({ type: 'file-start', file: 'a.test.js' })
    // Until the worker has written it (its first event file), without giving messages a turn.
    for (let i = 0; i < 400 && !existsSync(join(r.paths.runDir, 'events.jsonl')); i++)
      Atomics.wait(pause, 0, 0, 10)
    // Moved away in one step, then removed: the worker may be creating files in it meanwhile.
    renameSync(r.paths.runDir, `${r.paths.runDir}.gone`)
    rmSync(`${r.paths.runDir}.gone`, { recursive: true, force: true })
    r.emit({ type: 'file-end', file: 'a.test.js' })
    // The worker notices (it checks every second), recreates the file and posts its warning
    // while this thread, busy, reads no message; then the run ends at once.
    Atomics.wait(pause, 0, 0, 1500)
    r.end({ status: 'passed' })
    expect(stderr.join('')).toMatch(/^threepio: warning: .*deleted during the run/)
    await new Promise((resolve) => setTimeout(resolve, 100)) // the posted copy arrives now
    expect(stderr.filter((t) => t.includes('warning'))).toHaveLength(1)
    const all = events(r.paths.runDir)
    expect(all.findIndex((e) => e.code === 'ENOENT')).toBeLessThan(
      all.findIndex((e) => e.type === 'run-end'),
    )
  })

  it('a worker gone before the run ended: one warning, and the run ends without waiting for it', async () => {
    const root = tempDir()
    const stderr: string[] = []
    const r = start(root, stderr)
    r.emit({ type: 'file-start', file: 'a.test.js' })
    const worker = (r as unknown as { worker: import('node:worker_threads').Worker }).worker
    await Promise.all([new Promise((resolve) => worker.once('exit', resolve)), worker.terminate()])
    r.emit({ type: 'file-end', file: 'a.test.js' })
    r.end({ status: 'passed' })
    expect(stderr.filter((t) => t.includes('warning'))).toEqual([
      expect.stringMatching(/^threepio: warning: stopped recording this run: its thread stopped/),
    ])
  })

  it('a worker that cannot start recording: its own warning, once, and nothing held or waited for', () => {
    const root = tempDir()
    const stderr: string[] = []
    // A malformed fault setting makes the worker's recorder throw as it opens the run.
    const r = start(root, stderr, {}, { THREEPIO_SIMULATE_FAULT: 'bogus' })
    // More than the ring and what this thread holds beyond it (12 MiB): without noticing that the
    // worker gave up, this waited 5 s for room, and the end 30 s more for a flush.
    const line = 'x'.repeat(4000) + '\n'
    for (let i = 0; i < 4000; i++)
      r.emit({ type: 'output', file: 'a.test.js', stream: 'stdout', text: line })
    r.end({ status: 'passed' })
    expect(stderr).toEqual([
      expect.stringMatching(
        /^threepio: warning: not recording this run: .*THREEPIO_SIMULATE_FAULT="bogus" is not CODE/,
      ),
    ])
  })

  it('the CommonJS build records through its own worker bundle', () => {
    const root = tempDir()
    const script = `
      const { ThreadRecorder } = require(${JSON.stringify(dist.replace(/\.js$/, '.cjs'))})
      const r = ${startSource(root)}
      r.emit({ type: 'file-start', file: 'a.test.js' })
      r.emit({ type: 'output', file: 'a.test.js', stream: 'stdout', text: 'from CommonJS\\n' })
      r.emit({ type: 'file-end', file: 'a.test.js' })
      r.end({ status: 'passed' })
    `
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    expect(child.status, child.stderr).toBe(0)
    expect(child.stderr).toMatch(/^threepio: PASSED .*test-run\.md\n$/)
    const runDir = join(root, '.3pio', 'runs', 'latest')
    expect(events(runDir).at(-1)).toMatchObject({ type: 'run-end', status: 'passed' })
    expect(readFileSync(join(runDir, 'logs', 'a.test.js.log'), 'utf8')).toContain('from CommonJS')
  })

  it('finishes the run directory when the process exits before the run ended, exit code unchanged', () => {
    const root = tempDir()
    const script = `
      const { ThreadRecorder } = await import(${JSON.stringify(pathToFileURL(dist).href)})
      const r = ${startSource(root)}
      r.emit({ type: 'file-start', file: 'a.test.js' })
      r.emit({ type: 'output', file: 'a.test.js', stream: 'stdout', text: 'before exit\\n' })
      process.exit(3)
    `
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    })
    expect(child.status, child.stderr).toBe(3)
    expect(child.stderr).toMatch(/^threepio: INTERRUPTED .*test-run\.md\n$/)
    const runDir = join(root, '.3pio', 'runs', 'latest')
    const all = events(runDir)
    expect(all.at(-1)).toMatchObject({ type: 'run-end', status: 'interrupted' })
    expect(readFileSync(join(runDir, 'logs', 'a.test.js.log'), 'utf8')).toContain('before exit')
    expect(readFileSync(join(runDir, 'test-run.md'), 'utf8')).toContain('INTERRUPTED')
  })
})
