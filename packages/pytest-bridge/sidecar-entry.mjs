// Entry of the single-file threepio command that the wheel carries (`threepio ingest` for the plugin).
import { runCli } from '@threepio/cli'

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
