// @threepio/jest-reporter (as installed in the suite) with each of its hooks timed on Jest's
// thread, and its loading: calls and milliseconds appended as one JSON line to
// $THREEPIO_BENCH_TIMES at exit. The timing adds about a microsecond a call.
'use strict'
const { appendFileSync } = require('node:fs')

const start = performance.now()
const loaded = require(require.resolve('@threepio/jest-reporter', { paths: [process.cwd()] }))
const Reporter = loaded.default ?? loaded
const times = { load: { calls: 1, ms: performance.now() - start } }

// The hooks Jest calls (in band, live output is handed over inside onTestCaseStart and the console).
for (const name of Object.getOwnPropertyNames(Reporter.prototype)) {
  if (!/^on[A-Z]/.test(name)) continue
  const hook = Reporter.prototype[name]
  const entry = (times[name] = { calls: 0, ms: 0 })
  Reporter.prototype[name] = function (...args) {
    const t = performance.now()
    try {
      return hook.apply(this, args)
    } finally {
      entry.ms += performance.now() - t
      entry.calls++
    }
  }
}

process.on('exit', () => {
  const out = process.env.THREEPIO_BENCH_TIMES
  if (out)
    appendFileSync(
      out,
      JSON.stringify({ variant: process.env.THREEPIO_BENCH_VARIANT, times }) + '\n',
    )
})

module.exports = Reporter
