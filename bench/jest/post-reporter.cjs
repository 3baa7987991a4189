// @threepio/jest-reporter (as installed in the suite) handing its events to a worker thread by
// postMessage, one message per batch (the events of one microtask), instead of the shared ring:
// the other plain design, measured against the ring (`pnpm bench --only=jest-parts`). Enough of
// a Recorder for the benchmark: its closing line and warnings are the worker's to drop.
'use strict'
const { dirname, join } = require('node:path')
const { Worker } = require('node:worker_threads')

const at = require.resolve('@threepio/jest-reporter', { paths: [process.cwd()] })
const loaded = require(at)
const Reporter = loaded.default ?? loaded
const logWriter = require.resolve('@threepio/log-writer', { paths: [dirname(at)] })
const { prepareRun } = require(logWriter)

class PostRecorder {
  static start(options) {
    const prepared = prepareRun(options)
    return prepared && new PostRecorder(options, prepared)
  }

  constructor(options, prepared) {
    this.paths = prepared.paths
    this.runId = prepared.paths.runId
    this.isEnded = false
    this.batch = []
    this.hooks = []
    this.done = new Int32Array(new SharedArrayBuffer(4))
    const { stderr: _s, warn: _w, fs: _f, options: _o, ...rest } = options
    this.worker = new Worker(join(__dirname, 'post-worker.cjs'), {
      workerData: {
        logWriter,
        options: { ...rest, argv: process.argv, cwd: process.cwd() },
        prepared,
        done: this.done.buffer,
      },
      execArgv: [],
    })
    this.worker.unref()
    this.send = () => {
      this.scheduled = false
      const events = this.batch
      this.batch = []
      this.worker.postMessage(events)
    }
  }

  emit(event) {
    if (this.isEnded) return
    if (event.time === undefined) event = { time: Date.now(), ...event }
    this.batch.push(event)
    if (!this.scheduled) {
      this.scheduled = true
      queueMicrotask(this.send)
    }
  }

  end(result) {
    if (this.isEnded) return
    for (const fn of this.hooks.splice(0)) this.guard('a before-end hook', fn)
    this.isEnded = true
    if (this.batch.length) this.send()
    this.worker.postMessage({ end: result })
    Atomics.wait(this.done, 0, 0, 30_000)
  }

  interrupt(reason) {
    this.end({ status: 'interrupted', reason })
  }

  beforeEnd(fn) {
    this.hooks.push(fn)
  }

  guard(what, fn) {
    try {
      fn()
    } catch (err) {
      this.problem({ level: 'error', message: `${what} failed: ${String(err)}` })
    }
  }

  problem(d) {
    this.emit({ type: 'diagnostic', level: d.level, message: d.message })
  }
}

class PostReporter extends Reporter {
  startRecorder(options) {
    return PostRecorder.start(options)
  }
}

module.exports = PostReporter
