// Entry of the single-file log writer that the wheel carries (`threepio ingest` for the plugin).
import { runCli } from '@threepio/log-writer'

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
