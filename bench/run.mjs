// Runs every benchmark and prints its table. `pnpm bench --quick` for a smoke run.
const quick = process.argv.includes('--quick')
const { benchEventLog } = await import('./event-log.mjs')
const { benchLogWriterMemory } = await import('./log-writer-memory.mjs')
const { benchPytestScale } = await import('./pytest-scale.mjs')
await benchEventLog({ quick })
await benchLogWriterMemory({ quick })
await benchPytestScale({ quick })
