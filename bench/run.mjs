// Runs every benchmark and prints its tables. `pnpm bench --quick` for a smoke run.
const quick = process.argv.includes('--quick')
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
// --runners=Jest,Vitest: the overhead benchmark for those runners only (html: pytest, Jest).
const runners = process.argv
  .find((a) => a.startsWith('--runners='))
  ?.slice('--runners='.length)
  .split(',')
// --repeats=N: rounds of the overhead benchmark (default 5, --quick 2). A 2 % difference needs
// many on a machine whose run times spread: the table gives each figure's 90 % interval.
const repeatsArg = process.argv.find((a) => a.startsWith('--repeats='))?.slice('--repeats='.length)
const repeats = repeatsArg === undefined ? undefined : Number(repeatsArg)
if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) {
  console.error(
    `threepio bench: --repeats must be a whole number of at least 1, got "${repeatsArg}"`,
  )
  process.exit(2)
}
const benches = {
  'event-log': async () => (await import('./event-log.mjs')).benchEventLog({ quick }),
  memory: async () => (await import('./log-writer-memory.mjs')).benchLogWriterMemory({ quick }),
  overhead: async () => (await import('./overhead.mjs')).benchOverhead({ quick, runners, repeats }),
  'jest-parts': async () => (await import('./jest-parts.mjs')).benchJestParts({ quick, repeats }),
  latency: async () => (await import('./latency.mjs')).benchLatency({ quick }),
  'pytest-scale': async () => (await import('./pytest-scale.mjs')).benchPytestScale({ quick }),
  'install-size': async () => (await import('./install-size.mjs')).benchInstallSize(),
  agent: async () => (await import('./agent.mjs')).benchAgent({ quick }),
  history: async () => (await import('./history.mjs')).benchHistory({ quick }),
  html: async () => (await import('./html.mjs')).benchHtml({ quick, runners }),
  serve: async () => (await import('./serve.mjs')).benchServe({ quick }),
}
console.log(
  `threepio bench${quick ? ' --quick' : ''}: ${process.platform} ${process.arch}, ${(await import('node:os')).cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
)
for (const [name, run] of Object.entries(benches))
  if (!only || only.split(',').includes(name)) await run()
