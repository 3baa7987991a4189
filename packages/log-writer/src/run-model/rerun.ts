/**
 * The command that reruns just one failing test, as a person or an agent would type it in the
 * project root: `npx vitest run <file> -t <name>`, `npx jest <file> -t <name>`, `pytest <nodeid>`.
 */

/** `text` as one POSIX shell word. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}

/** `text` matched literally inside a regular expression (Jest's and Vitest's `-t`). */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export interface RerunTarget {
  file: string
  project?: string
  mode?: string
  /** Test id (pytest: the node id). */
  testId?: string
  ref?: { name: string; suite: readonly string[]; parent?: string }
}

/** The runner of a run, as run-start names it. */
export type RerunRunner = { name: string; version?: string } | undefined

/** The rerun command, or undefined when the runner or the test is not known. */
export function rerunCommand(runner: RerunRunner, t: RerunTarget): string | undefined {
  // Both match -t, a pattern, against the suite names and the test's own, joined by a space
  // (Vitest 5: ` > `): anchored, it selects this test alone (`case 1`, not `case 10`).
  const joiner = runner?.name === 'vitest' && major(runner.version) >= 5 ? ' > ' : ' '
  const pattern = t.ref ? `^${literal([...t.ref.suite, t.ref.name].join(joiner))}$` : undefined
  switch (runner?.name) {
    case 'vitest':
      return [
        'npx vitest run',
        shellQuote(t.file),
        ...(t.project ? ['--project', shellQuote(t.project)] : []),
        ...(t.mode === 'typecheck' ? ['--typecheck.only'] : []),
        ...(pattern ? ['-t', shellQuote(pattern)] : []),
      ].join(' ')
    case 'jest':
      return [
        'npx jest',
        shellQuote(t.file),
        ...(t.project ? ['--selectProjects', shellQuote(t.project)] : []),
        ...(pattern ? ['-t', shellQuote(pattern)] : []),
      ].join(' ')
    case 'pytest':
      // A subtest is rerun by its test: pytest takes node ids of collected tests only.
      return `pytest ${shellQuote(t.ref?.parent ?? t.testId ?? t.file)}`
    default:
      return undefined
  }
}

function major(version: string | undefined): number {
  return Number.parseInt(version ?? '', 10) || 0
}
