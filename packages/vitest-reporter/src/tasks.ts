/** Vitest's tasks as threepio facts: a test's status, its errors as one, its identity. */
import type { TestError, TestRef, TestStatus } from '@threepio/core'
import type { SerializedError, TestCase, TestModule } from 'vitest/node'

/** Vitest runs a file twice with `typecheck.enabled`: at runtime and as a type check. */
export function isTypecheck(module: TestModule): boolean {
  const m = module as unknown as {
    meta?: () => { typecheck?: boolean }
    task?: { meta?: { typecheck?: boolean } }
  }
  return (m.meta?.() ?? m.task?.meta)?.typecheck === true
}

export function moduleKey(module: TestModule): string {
  return isTypecheck(module) ? `${module.id}#typecheck` : module.id
}

export function refOf(test: TestCase, id: string): TestRef {
  const suite: string[] = []
  for (let p = test.parent; p.type === 'suite'; p = p.parent) suite.unshift(p.name)
  return { id, name: test.name, suite }
}

/** Final status of a test, or undefined while it has none (pending). */
export function statusOf(test: TestCase): TestStatus | undefined {
  const result = test.result()
  if (result.state === 'pending') return undefined
  if (result.state === 'skipped') return test.options.mode === 'todo' ? 'todo' : 'skipped'
  // `test.fails`: Vitest passes it when it fails as expected ("expected fail" in its summary).
  if (result.state === 'passed' && test.options.fails) return 'xfailed'
  return result.state
}

export function firstLine(text: string): string {
  return text.split('\n')[0] ?? ''
}

/** All errors of a test as one: the first one's details, the others appended. */
export function combineErrors(errors: ReadonlyArray<SerializedError>): TestError | undefined {
  const [first, ...rest] = errors
  if (!first) return undefined
  const e = first as SerializedError & { diff?: string; expected?: unknown; actual?: unknown }
  const more = rest
    .map((r, i) => `\n\n[error ${i + 2} of ${errors.length}] ${r.stack ?? r.message}`)
    .join('')
  const str = (v: unknown) =>
    typeof v === 'string' ? v : v === undefined ? undefined : JSON.stringify(v)
  const expected = str(e.expected)
  const actual = str(e.actual)
  return {
    message: (e.message ?? String(e)) + more,
    ...(e.stack ? { stack: e.stack } : {}),
    ...(e.diff ? { diff: e.diff } : {}),
    ...(expected !== undefined ? { expected } : {}),
    ...(actual !== undefined ? { actual } : {}),
  }
}
