// A test process for kill, EMFILE and ingest tests. It records a synthetic run and prints
// "progress <n>" after each finished file, so the parent can act at a chosen point.
//   node child-run.mjs recorder <outputDir> <files> [testsPerFile]   in-process RunRecorder
//   node child-run.mjs writer <runDir> <files> [testsPerFile]        events.jsonl only (like pytest)
import { EventLogWriter } from '@threepio/core'
import { RunRecorder } from '../../dist/index.js'

const [mode, target, filesArg, testsArg = '5'] = process.argv.slice(2)
const files = Number(filesArg)
const testsPerFile = Number(testsArg)

let emit
let end
if (mode === 'recorder') {
  const recorder = RunRecorder.start({
    runner: { name: 'vitest', version: '0.0.0-test' },
    reporter: { name: '@threepio/test-child', version: '0.0.0' },
    rootDir: process.cwd(),
    options: { outputDir: target, quiet: true },
  })
  emit = (e) => recorder.emit(e)
  end = () => recorder.end({ status: 'failed' })
  process.stdout.write(`run ${recorder.paths.runDir}\n`)
} else {
  const writer = EventLogWriter.open(`${target}/events.jsonl`)
  emit = (e) => writer.emit(e)
  emit({
    type: 'run-start',
    schema: 2,
    runId: 'child',
    runner: { name: 'pytest', version: '0.0.0-test' },
    reporter: { name: 'threepio', version: '0.0.0' },
    rootDir: process.cwd(),
    cwd: process.cwd(),
    argv: process.argv,
    pid: process.pid,
  })
  end = () => {
    writer.emit({
      type: 'run-end',
      status: 'failed',
      durationMs: 1,
    })
    writer.closeSync()
  }
}

let i = 0
function runFile() {
  const file = `src/dir${i % 7}/file-${i}.test.ts`
  emit({ type: 'file-start', file })
  for (let t = 0; t < testsPerFile; t++) {
    const test = { id: `${file}::t${t}`, name: `test ${t}`, suite: ['suite'] }
    emit({ type: 'test-start', file, test })
    emit({
      type: 'output',
      file,
      testId: test.id,
      stream: t % 2 ? 'stderr' : 'stdout',
      text: `file ${i} test ${t} says hello\n`,
    })
    const status = t === 0 ? 'failed' : 'passed'
    emit({
      type: 'test-end',
      file,
      test,
      status,
      durationMs: 1,
      ...(status === 'failed' ? { error: { message: `expected ${t} to be ${t + 1}` } } : {}),
    })
  }
  emit({ type: 'file-end', file })
  i++
  const n = i
  // After the writer's own microtask: the events of this file have reached the kernel.
  queueMicrotask(() => process.stdout.write(`progress ${n}\n`))
  if (i < files) setImmediate(runFile)
  else end()
}
runFile()
