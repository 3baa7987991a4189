// Child process for the follower test: appends N events through the built EventLogWriter,
// yielding to the event loop every `batch` events so that the reader runs concurrently.
import { EventLogWriter } from '../../dist/index.js'

const [path, count, batch = '100'] = process.argv.slice(2)
const writer = EventLogWriter.open(path)
const total = Number(count)
let i = 0
function step() {
  const stop = Math.min(total, i + Number(batch))
  for (; i < stop; i++) {
    writer.emit({
      type: 'output',
      stream: i % 2 ? 'stderr' : 'stdout',
      text: `line ${i} ${'é'.repeat(i % 7)}\n`,
    })
  }
  if (i < total) setImmediate(step)
  else writer.closeSync()
}
step()
