// Event log throughput: EventLogWriter → EventLogFollower against a raw appendFile baseline,
// in the same process on the same machine. The writer and the follower run concurrently, as
// the pytest plugin and its sidecar do; the figure is events per second end to end.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, cpus } from 'node:os'
import { join } from 'node:path'
import { EventLogFollower, EventLogWriter } from '@threepio/core'

const event = (i) => ({
  type: 'output',
  stream: 'stdout',
  testId: `t${i % 100}`,
  file: 'src/a.test.ts',
  text: `line ${i}\n`,
})

async function writerToFollower(dir, n) {
  const path = join(dir, 'events.jsonl')
  const writer = EventLogWriter.open(path)
  const follower = new EventLogFollower(path, { pollIntervalMs: 10 })
  const start = process.hrtime.bigint()
  const reading = (async () => {
    let count = 0
    for await (const _ of follower) count++
    return count
  })()
  for (let i = 0; i < n; i++) {
    writer.emit(event(i))
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r))
  }
  writer.closeSync()
  follower.finish()
  const count = await reading
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (count !== n) throw new Error(`follower read ${count} of ${n} events`)
  return n / seconds
}

function rawAppendFile(dir, n) {
  const path = join(dir, 'raw.jsonl')
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++)
    appendFileSync(
      path,
      JSON.stringify({ type: 'output', seq: i + 1, time: Date.now(), ...event(i) }) + '\n',
    )
  return n / (Number(process.hrtime.bigint() - start) / 1e9)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (x) => Math.round(x).toLocaleString('en-US')

export async function benchEventLog({ quick }) {
  const n = quick ? 20_000 : 200_000
  const repeats = quick ? 1 : 5
  const dir = mkdtempSync(join(tmpdir(), 'threepio-bench-'))
  try {
    const ours = []
    const raw = []
    for (let r = 0; r < repeats; r++) {
      ours.push(await writerToFollower(dir, n))
      raw.push(rawAppendFile(dir, n))
      rmSync(join(dir, 'events.jsonl'), { force: true })
      rmSync(join(dir, 'raw.jsonl'), { force: true })
    }
    console.log(
      `\nEvent log throughput: ${fmt(n)} events, ${repeats} repeat(s), ${cpus().length} cores, Node ${process.version}\n`,
    )
    console.log('| path | events/s (median) | min | max |')
    console.log('|---|---:|---:|---:|')
    console.log(
      `| EventLogWriter → EventLogFollower (written, fsync'd, read back, validated) | ${fmt(median(ours))} | ${fmt(Math.min(...ours))} | ${fmt(Math.max(...ours))} |`,
    )
    console.log(
      `| raw appendFileSync, one call per line (write only) | ${fmt(median(raw))} | ${fmt(Math.min(...raw))} | ${fmt(Math.max(...raw))} |`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
