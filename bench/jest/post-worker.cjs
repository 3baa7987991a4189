// The worker of post-reporter.cjs: a RunRecorder fed with the batches the runner's thread posts,
// consecutive output of one test recorded as one event, as the ring's worker does.
'use strict'
const { parentPort, workerData } = require('node:worker_threads')

const { logWriter, options, prepared, done } = workerData
const { RunRecorder } = require(logWriter)
const recorder = RunRecorder.open(
  { ...options, handleExit: false, closingLine: 'none', stderr: () => {}, warn: () => {} },
  prepared,
)
const same = (a, b) =>
  b.stream === a.stream && b.testId === a.testId && b.file === a.file && b.project === a.project

parentPort.on('message', (message) => {
  if (Array.isArray(message)) {
    let output
    for (const event of message) {
      if (output && event.type === 'output' && same(output, event)) {
        output.text += event.text
        continue
      }
      if (output) recorder?.emit(output)
      output = undefined
      if (event.type === 'output') output = event
      else recorder?.emit(event)
    }
    if (output) recorder?.emit(output)
    return
  }
  recorder?.end(message.end)
  const flag = new Int32Array(done)
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
  parentPort.close()
})
