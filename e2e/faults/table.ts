/** Per-test figures for the held / lost table (printed by ./table-reporter.ts). */
import type { Test } from 'vitest'

declare module 'vitest' {
  interface TaskMeta {
    /** Cases that held, of how many. */
    held?: { good: number; of: number; frameworkCrashes?: number }
  }
}

/** Records how many of the cases a test ran held. */
export function held(task: Test, good: number, of: number, frameworkCrashes = 0): void {
  task.meta.held = { good, of, ...(frameworkCrashes ? { frameworkCrashes } : {}) }
}
