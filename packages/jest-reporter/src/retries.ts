/**
 * Whether Jest may retry the tests of a file. A start of a test whose title is that of a failed
 * test is its retry (jest.retryTimes) or the start of another test with the same title; Jest's
 * hooks say neither. Tests are retried only where `jest.retryTimes` is called, in the test file
 * or a setup file, so a file that mentions it in neither has no retries: such a start is a new
 * test. Read once per file, and only when a start is in doubt.
 */
import { readFileSync } from 'node:fs'
import type { Test } from '@jest/test-result'

const RETRY_CALL = /\bretryTimes\s*\(/
const known = new Map<string, boolean>()

function mentionsRetry(path: string): boolean {
  let answer = known.get(path)
  if (answer === undefined) {
    try {
      answer = RETRY_CALL.test(readFileSync(path, 'utf8'))
    } catch {
      answer = true // unreadable: keep to Jest's own order, where a start after a failure is a retry
    }
    known.set(path, answer)
  }
  return answer
}

/** The test file or one of its project's setup files calls `jest.retryTimes`. */
export function mayRetry(test: Test): boolean {
  const config = test.context.config
  return [test.path, ...(config.setupFiles ?? []), ...(config.setupFilesAfterEnv ?? [])].some(
    mentionsRetry,
  )
}
