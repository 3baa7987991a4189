/**
 * Prints the fault suite's result as a table: scenario × runner → held / LOST. A test's
 * describe block is its runner, its name the scenario; "held 20/20" when it counted cases.
 */
import type { Reporter } from 'vitest/node'

/** The parts of Vitest's task tree the table needs. */
interface TaskNode {
  type: string
  name: string
  tasks?: TaskNode[]
  result?: { state?: string }
  meta: { held?: { good: number; of: number; frameworkCrashes?: number } }
}

export default class FaultTable implements Reporter {
  onFinished(files: readonly unknown[] = []): void {
    const cells = new Map<string, Map<string, string>>()
    const runners: string[] = []
    const visit = (task: TaskNode, suite: string | undefined) => {
      if (task.tasks) {
        for (const t of task.tasks) visit(t, task.name)
        return
      }
      if (task.type !== 'test' || suite === undefined) return
      if (!runners.includes(suite)) runners.push(suite)
      const state = task.result?.state
      const ok = state === 'pass'
      const counted = task.meta.held
      const cell =
        state === undefined || state === 'skip'
          ? 'not run'
          : `${ok ? 'held' : 'LOST'}${counted ? ` ${counted.good}/${counted.of}` : ''}${
              counted?.frameworkCrashes ? ` (${counted.frameworkCrashes} framework crash)` : ''
            }`
      const row = cells.get(task.name) ?? new Map<string, string>()
      row.set(suite, cell)
      cells.set(task.name, row)
    }
    for (const file of files as TaskNode[]) for (const t of file.tasks ?? []) visit(t, undefined)
    if (!cells.size) return
    const header = ['scenario', ...runners]
    const rows = [...cells].map(([scenario, row]) => [
      scenario,
      ...runners.map((r) => row.get(r) ?? '—'),
    ])
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
    const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
    const out = [
      '',
      'threepio fault suite: held = nothing lost, run ended as without threepio',
      '',
      line(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...rows.map(line),
      '',
    ]
    process.stdout.write(out.join('\n') + '\n')
  }
}
