import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeEvents, type EventInput } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { eventsOnlyCopy, FIXTURES, readTree, tempDir } from '../../test/helpers/run-dir.js'
import { RunRecorder } from '../recording/run-recorder.js'
import { rebuildRun } from './replay.js'

function startRecorder(outputDir: string): RunRecorder {
  const recorder = RunRecorder.start({
    runner: { name: 'vitest', version: '3.2.4' },
    reporter: { name: '@threepio/vitest-reporter', version: '0.0.0' },
    rootDir: '/project',
    options: { outputDir, quiet: true },
    handleExit: false,
  })
  if (!recorder) throw new Error('recorder did not start')
  return recorder
}

/** Live and rebuilt directories hold the same bytes, file for file. */
function expectReplayEqualsLive(runDir: string): void {
  const live = readTree(runDir)
  const copy = eventsOnlyCopy(runDir)
  rebuildRun(copy)
  const replayed = readTree(copy)
  expect([...replayed.keys()]).toEqual([...live.keys()])
  for (const [path, bytes] of live)
    expect(replayed.get(path)?.toString('utf8'), path).toBe(bytes.toString('utf8'))
}

describe('live == replay', () => {
  const streams = readdirSync(FIXTURES).filter((n) => !n.startsWith('.'))
  it.each(streams)('the %s stream, recorded live, rebuilds byte for byte', (name) => {
    const { events } = decodeEvents(readFileSync(join(FIXTURES, name, 'events.jsonl')))
    const recorder = startRecorder(tempDir())
    for (const event of events) {
      if (event.type === 'run-start' || event.type === 'run-end') continue
      const { seq: _seq, time: _time, ...input } = event
      recorder.emit(input as EventInput)
    }
    const end = events.find((e) => e.type === 'run-end')
    if (end?.type === 'run-end')
      recorder.end({
        status: end.status,
        ...(end.reason ? { reason: end.reason } : {}),
      })
    else recorder.interrupt('test: no run-end in the stream')
    expectReplayEqualsLive(recorder.paths.runDir)
  })

  it('holds for 10,000 files with output, and test-run.md stays small', async () => {
    const recorder = startRecorder(tempDir())
    for (let i = 0; i < 10_000; i++) {
      const file = `src/m${i % 50}/f${i}.test.ts`
      recorder.emit({ type: 'file-start', file })
      const test = { id: `${file}::t`, name: 't', suite: [] }
      recorder.emit({
        type: 'output',
        file,
        testId: test.id,
        stream: 'stdout',
        text: `hello ${i}\n`,
      })
      const status = i % 100 === 0 ? 'failed' : 'passed'
      recorder.emit({
        type: 'test-end',
        file,
        test,
        status,
        ...(status === 'failed' ? { error: { message: `boom in ${word(i / 100)}` } } : {}),
      })
      recorder.emit({
        type: 'file-end',
        file,
      })
      if (i % 500 === 0) await new Promise((r) => setImmediate(r))
    }
    recorder.end({ status: 'failed' })
    const md = readFileSync(join(recorder.paths.runDir, 'test-run.md'), 'utf8')
    expect(Buffer.byteLength(md)).toBeLessThan(8 * 1024)
    expect(md).toContain('## Failures (100)')
    expect(md).toContain('… and 90 more failure(s); failing files: ')
    expect(md).toContain('10000 files: 100 failed, 9900 passed.')
    expect(md).toContain('**100 failed, 9900 passed**')
    const json = JSON.parse(readFileSync(join(recorder.paths.runDir, 'run.json'), 'utf8'))
    expect(json.fileList).toHaveLength(1000)
    expect(json.fileListTotal).toBe(10_000)
    expectReplayEqualsLive(recorder.paths.runDir)
  })

  it('holds for huge output split over many events', () => {
    const recorder = startRecorder(tempDir())
    const file = 'src/noisy.test.ts'
    const test = { id: `${file}::prints`, name: 'prints', suite: [] }
    recorder.emit({ type: 'file-start', file })
    recorder.emit({ type: 'test-start', file, test })
    const chunk = 'x'.repeat(1023) + '\n'
    recorder.emit({
      type: 'output',
      file,
      testId: test.id,
      stream: 'stdout',
      text: chunk.repeat(10 * 1024),
    }) // 10 MiB at once
    recorder.emit({
      type: 'output',
      file,
      testId: test.id,
      stream: 'stderr',
      text: 'binary \u0000\u0001\ufffd\ud800 end\n',
    })
    recorder.emit({ type: 'test-end', file, test, status: 'passed' })
    recorder.emit({
      type: 'file-end',
      file,
    })
    recorder.end({ status: 'passed' })
    const log = readFileSync(join(recorder.paths.runDir, 'logs', file + '.log'), 'utf8')
    expect(log.length).toBeGreaterThan(10 * 1024 * 1024)
    expect(log).toContain('[stderr] binary \ufffd\ufffd\ufffd\ufffd end')
    expectReplayEqualsLive(recorder.paths.runDir)
  })
})

describe('rebuildRun', () => {
  it('removes the temporary files of an atomic write that a kill interrupted', () => {
    const recorder = startRecorder(tempDir())
    recorder.end({ status: 'passed' })
    const { runDir } = recorder.paths
    writeFileSync(join(runDir, 'run.json.488573137'), '{"half')
    writeFileSync(join(runDir, 'test-run.md.12'), '# half')
    writeFileSync(join(runDir, 'run.json.notes'), 'not ours')
    rebuildRun(runDir)
    expect(readdirSync(runDir).sort()).toEqual([
      'events.jsonl',
      'logs',
      'report.html',
      'run.json',
      'run.json.notes',
      'test-run.md',
    ])
  })
})

/** `aa`, `ba`, … : a word for each number (messages that stay apart as causes). */
const word = (k: number) => String.fromCharCode(97 + (k % 26), 97 + Math.floor(k / 26))
