/**
 * Event lines put together from parts encoded once, for the events a reporter emits per test and
 * per printed line in the test runner's own thread (the Jest reporter, where encoding an event
 * delays the tests). A test's file, project and identity are encoded once, when it starts, and
 * reused for its end and the lines it prints; per event, only what changes (status, duration, the
 * text) is encoded.
 *
 * Each function returns an event's JSON members without `time` and without braces
 * (`"type":"test-end",…`): the recorder puts `{"time":…,` in front and `}` after. The line parses
 * to what JSON.stringify gives for the same event (event-lines.test.ts holds each field to that
 * and to the schema).
 */
import type { Location, TestError, TestRef, TestStatus } from './schema.js'

/** The `file`, `project` and `test` members of a test's events: encoded once a test. */
export function testMembers(file: string, project: string | undefined, test: TestRef): string {
  return JSON.stringify({ file, project, test }).slice(1, -1)
}

/** A test-start event, from its test's {@link testMembers}. */
export function testStartMembers(test: string): string {
  return `"type":"test-start",${test}`
}

/** A test-end event, from its test's {@link testMembers} and what the result adds. */
export function testEndMembers(
  test: string,
  status: TestStatus,
  durationMs?: number,
  attempt?: number,
  error?: TestError,
  location?: Location,
): string {
  let members = `"type":"test-end",${test},"status":${JSON.stringify(status)}`
  if (durationMs !== undefined) members += `,"durationMs":${JSON.stringify(durationMs)}`
  if (attempt !== undefined) members += `,"attempt":${JSON.stringify(attempt)}`
  if (error !== undefined) members += `,"error":${JSON.stringify(error)}`
  if (location !== undefined) members += `,"location":${JSON.stringify(location)}`
  return members
}

/**
 * An output event up to its text (`"type":"output",…,"text":`): the same for every line one test
 * prints to one stream. Append the text as JSON ({@link outputMembers}).
 */
export function outputPrefix(
  file: string | undefined,
  project: string | undefined,
  testId: string | undefined,
  stream: 'stdout' | 'stderr',
): string {
  return `"type":"output",${JSON.stringify({ file, project, testId, stream }).slice(1, -1)},"text":`
}

/** An output event, from its {@link outputPrefix} and its text. */
export function outputMembers(prefix: string, text: string): string {
  return prefix + JSON.stringify(text)
}
