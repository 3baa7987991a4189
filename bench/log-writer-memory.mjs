// Memory of the in-process recorder (events.jsonl + logs + summaries) on a 200,000-test stream
// with output: heap and RSS sampled after GC every 10% of the run. Flat means bounded.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RunRecorder } from '@threepio/log-writer'

const mb = (n) => (n / 1048576).toFixed(1)

export async function benchLogWriterMemory({ quick }) {
  const tests = quick ? 20_000 : 200_000
  const perFile = 100
  const dir = mkdtempSync(join(tmpdir(), 'threepio-bench-mem-'))
  const recorder = RunRecorder.start({
    runner: { name: 'pytest', version: 'bench' },
    reporter: { name: 'bench', version: '0' },
    rootDir: dir,
    options: { outputDir: join(dir, '.3pio'), quiet: true },
    handleExit: false,
  })
  const rows = []
  const sample = (done) => {
    globalThis.gc?.()
    const m = process.memoryUsage()
    rows.push({ done, heap: m.heapUsed, rss: m.rss })
  }
  const start = process.hrtime.bigint()
  sample(0)
  for (let f = 0; f * perFile < tests; f++) {
    const file = `tests/pkg${f % 40}/test_mod_${f}.py`
    recorder.emit({ type: 'file-start', file })
    for (let t = 0; t < perFile; t++) {
      const test = { id: `${file}::test_${t}`, name: `test_${t}`, suite: [] }
      recorder.emit({ type: 'test-start', file, test })
      recorder.emit({
        type: 'output',
        file,
        testId: test.id,
        stream: 'stdout',
        text: `test ${t} of ${file} printed this line\n`,
      })
      const status = t % 50 === 7 ? 'failed' : 'passed'
      recorder.emit({
        type: 'test-end',
        file,
        test,
        status,
        durationMs: 1,
        ...(status === 'failed' ? { error: { message: 'assert 1 == 2' } } : {}),
      })
    }
    recorder.emit({ type: 'file-end', file })
    await new Promise((r) => setImmediate(r))
    const done = (f + 1) * perFile
    if (done % (tests / 10) === 0) sample(done)
  }
  recorder.end({ status: 'failed' })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  sample(tests)
  console.log(
    `\nRecorder memory: ${tests.toLocaleString('en-US')} tests with output, ${tests / perFile} files, ${seconds.toFixed(1)} s (${Math.round((tests * 3) / seconds).toLocaleString('en-US')} events/s)${globalThis.gc ? '' : ' — run with --expose-gc for exact heap figures'}\n`,
  )
  console.log('| tests done | heap used (MiB) | RSS (MiB) |')
  console.log('|---:|---:|---:|')
  for (const r of rows)
    console.log(`| ${r.done.toLocaleString('en-US')} | ${mb(r.heap)} | ${mb(r.rss)} |`)
  rmSync(dir, { recursive: true, force: true })
}
