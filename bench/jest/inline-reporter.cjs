// @threepio/jest-reporter (as installed in the suite) recording in Jest's own thread, with the
// RunRecorder that Vitest's reporter uses, instead of handing events to a worker thread: the
// plainest design, measured against the worker (`pnpm bench --only=jest-parts`).
'use strict'
const { dirname } = require('node:path')

const at = require.resolve('@threepio/jest-reporter', { paths: [process.cwd()] })
const loaded = require(at)
const Reporter = loaded.default ?? loaded
const { RunRecorder } = require(require.resolve('@threepio/log-writer', { paths: [dirname(at)] }))

class InlineReporter extends Reporter {
  startRecorder(options) {
    return RunRecorder.start(options)
  }
}

module.exports = InlineReporter
