/** @threepio/cli: the `threepio` command, which lists, shows, follows, exports and rebuilds runs. */
export { main as runCli } from './main.js'
export { findRun } from './find-run.js'
export { wantsColor, type CliIo } from './io.js'
