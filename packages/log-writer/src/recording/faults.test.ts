/**
 * Disk faults: ENOSPC and EIO through the file-system seams, the run directory deleted for real,
 * and a low `ulimit -n` for real. The run goes on, warns once, loses nothing events.jsonl holds.
 */
import * as fs from 'node:fs'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { decodeEvents, writeFileAtomicSync, type WriterFs } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { startChild } from '../../test/helpers/child.js'
import { eventsOnlyCopy, readTree, tempDir } from '../../test/helpers/run-dir.js'
import { RunRecorder } from './run-recorder.js'
import { rebuildRun } from '../run-directory/replay.js'
import type { RunDirectoryFs } from '../run-directory/run-directory.js'
import {
  FaultGate,
  faultyRunDirectoryFs,
  parseSimulatedFault,
} from '../run-directory/simulated-faults.js'

/** Seams whose writes fail with `fail` while it is set. */
function faultySeams() {
  const state = { fail: undefined as string | undefined }
  const error = () => Object.assign(new Error(`${state.fail}: simulated`), { code: state.fail })
  const events: WriterFs = {
    ...(fs as unknown as WriterFs),
    writeSync: (fd, buf, off, len) => {
      if (state.fail) throw error()
      return fs.writeSync(fd, buf, off, len)
    },
  }
  const runDir: RunDirectoryFs = {
    appendFileSync: (p, d) => {
      if (state.fail) throw error()
      fs.appendFileSync(p, d)
    },
    mkdirSync: (p, o) => fs.mkdirSync(p, o),
    writeFileAtomicSync: (p, d) => {
      if (state.fail) throw error()
      writeFileAtomicSync(p, d)
    },
  }
  return { state, events, runDir }
}

function record(options: { fs?: { events?: WriterFs; runDir?: RunDirectoryFs } } = {}) {
  const warnings: string[] = []
  const recorder = RunRecorder.start({
    runner: { name: 'jest', version: '30.0.0' },
    reporter: { name: '@threepio/jest-reporter', version: '0.0.0' },
    rootDir: '/project',
    options: { outputDir: tempDir(), quiet: true },
    handleExit: false,
    stderr: (t) => warnings.push(t),
    ...options,
  })!
  let n = 0
  const file = () => {
    const name = `src/f${n++}.test.ts`
    recorder.emit({ type: 'file-start', file: name })
    const test = { id: `${name}::t`, name: 't', suite: [] }
    recorder.emit({ type: 'output', file: name, testId: test.id, stream: 'stdout', text: 'hi\n' })
    recorder.emit({ type: 'test-end', file: name, test, status: 'passed' })
    recorder.emit({
      type: 'file-end',
      file: name,
    })
  }
  return { recorder, warnings, file }
}

/** The next turn of the event loop: the event writer's microtask flush has run. */
const nextTask = () => new Promise((r) => setImmediate(r))

function expectConsistent(runDir: string): void {
  const live = readTree(runDir)
  const copy = eventsOnlyCopy(runDir)
  rebuildRun(copy)
  const truth = readTree(copy)
  expect([...live.keys()]).toEqual([...truth.keys()])
  for (const [p, b] of truth) expect(live.get(p)?.toString(), p).toBe(b.toString())
}

describe.each(['ENOSPC', 'EIO'])('%s', (code) => {
  it('on every write: the run goes on, one warning, everything written once the disk recovers', async () => {
    const seams = faultySeams()
    const { recorder, warnings, file } = record({ fs: seams })
    file()
    await nextTask()
    seams.state.fail = code
    for (let i = 0; i < 20; i++) {
      file()
      await nextTask() // events.jsonl write attempted (and refused)
      recorder.directory.flushLogs() // log writes attempted (and refused)
    }
    seams.state.fail = undefined
    file()
    recorder.end({ status: 'passed' }) // writes everything that was kept
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(code)
    const { events } = decodeEvents(readFileSync(join(recorder.paths.runDir, 'events.jsonl')))
    expect(events.filter((e) => e.type === 'file-end')).toHaveLength(22)
    expect(events.some((e) => e.type === 'diagnostic' && e.code === code)).toBe(true)
    const summary = JSON.parse(readFileSync(join(recorder.paths.runDir, 'run.json'), 'utf8'))
    expect(summary).toMatchObject({ status: 'PASSED', counts: { passed: 22 } })
    expect(summary.diagnostics.total).toBeGreaterThan(0)
    expectConsistent(recorder.paths.runDir)
  })

  it('still failing at exit: nothing throws and what reached the disk is whole', () => {
    const seams = faultySeams()
    const { recorder, warnings, file } = record({ fs: seams })
    file()
    seams.state.fail = code
    file()
    expect(() => recorder.end({ status: 'passed' })).not.toThrow()
    expect(warnings).toHaveLength(1)
    const { stats } = decodeEvents(readFileSync(join(recorder.paths.runDir, 'events.jsonl')))
    expect(stats.truncated + stats.invalidJson).toBe(0)
  })
})

describe('THREEPIO_SIMULATE_FAULT', () => {
  it('EIO on the first 3 log writes, all at the end: retried, the logs are whole', async () => {
    const gate = new FaultGate(parseSimulatedFault('EIO@0+3'))
    const { recorder, warnings, file } = record({ fs: { runDir: faultyRunDirectoryFs(gate) } })
    for (let i = 0; i < 4; i++) file()
    await nextTask()
    recorder.end({ status: 'passed' }) // the first log writes happen here, and fail
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('EIO')
    expectConsistent(recorder.paths.runDir)
  })

  it('rejects a malformed value with the expected format', () => {
    expect(() => parseSimulatedFault('disk full')).toThrow(/CODE\[@AFTER\[\+COUNT\]\]/)
    expect(parseSimulatedFault('ENOSPC@20')).toEqual({ code: 'ENOSPC', after: 20, count: Infinity })
  })

  it('is a seam of this package only: no entry point of core or the log writer exports it', async () => {
    const entries = {
      '@threepio/core': await import('@threepio/core'),
      '@threepio/log-writer': await import('../index.js'),
      '@threepio/log-writer/thread': await import('./thread-recorder.js'),
    }
    const seams = Object.entries(entries).flatMap(([entry, m]) =>
      Object.keys(m)
        .filter((name) => /faulty|FaultGate|simulat/i.test(name))
        .map((name) => `${entry}: ${name}`),
    )
    expect(seams).toEqual([])
  })
})

describe('the run directory deleted mid-run', () => {
  it('is recreated, with logs and summaries rebuilt from the whole event log', async () => {
    const { recorder, warnings, file } = record()
    for (let i = 0; i < 5; i++) file()
    await nextTask()
    recorder.directory.flushLogs()
    rmSync(recorder.paths.runDir, { recursive: true, force: true })
    for (let i = 0; i < 5; i++) file()
    recorder.end({ status: 'passed' })
    expect(warnings.length).toBe(1)
    const { events } = decodeEvents(readFileSync(join(recorder.paths.runDir, 'events.jsonl')))
    expect(events.filter((e) => e.type === 'file-end')).toHaveLength(10)
    expect(readdirSync(join(recorder.paths.runDir, 'logs', 'src'))).toHaveLength(10)
    expect(
      JSON.parse(readFileSync(join(recorder.paths.runDir, 'run.json'), 'utf8')).counts.passed,
    ).toBe(10)
    expectConsistent(recorder.paths.runDir)
  })
})

describe('a low open-file limit', () => {
  it('records 5,000 files under ulimit -n 256 without EMFILE', async () => {
    const out = tempDir()
    const child = startChild(['recorder', out, '5000', '2'], { shell: 'ulimit -n 256' })
    const runDir = await child.runDir
    const exit = await child.exited
    expect(exit.stderr).toBe('')
    expect(exit.code).toBe(0)
    let logs = 0
    for (const d of readdirSync(join(runDir, 'logs', 'src')))
      logs += readdirSync(join(runDir, 'logs', 'src', d)).length
    expect(logs).toBe(5000)
    const summary = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))
    expect(summary).toMatchObject({
      status: 'FAILED',
      diagnostics: { total: 0 },
      counts: { total: 10_000 },
    })
  })
})
