// A Jest reporter that only notes when things happen on Jest's thread (run start, each file's
// start and result, run end, exit) and appends them as one JSON line to $THREEPIO_BENCH_PROBE.
// Listed first, its marks come before every other reporter's work on the same event.
'use strict'
const { appendFileSync } = require('node:fs')

const marks = { runStart: 0, runEnd: 0, files: [] }

class ProbeReporter {
  onRunStart() {
    marks.runStart = performance.now()
  }
  onTestFileStart() {
    marks.files.push([performance.now(), 0])
  }
  onTestFileResult() {
    const last = marks.files[marks.files.length - 1]
    if (last) last[1] = performance.now()
  }
  onRunComplete() {
    marks.runEnd = performance.now()
  }
}

process.on('exit', () => {
  const out = process.env.THREEPIO_BENCH_PROBE
  if (out)
    appendFileSync(
      out,
      JSON.stringify({
        variant: process.env.THREEPIO_BENCH_VARIANT,
        exit: performance.now(),
        ...marks,
      }) + '\n',
    )
})

module.exports = ProbeReporter
