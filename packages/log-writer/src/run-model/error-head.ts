/** The first lines of an error, as summaries show it. */
import type { TestError } from '@threepio/core'
import { oneLine } from './log-format.js'

/** Lines of an error shown in summaries. */
const ERROR_LINES = 10
const LINE_CHARS = 160

/** The first lines of an error, for summaries. */
export function errorHead(error: TestError | undefined): string {
  if (!error) return ''
  const text =
    error.diff && !error.message.includes(error.diff)
      ? `${error.message}\n${error.diff}`
      : error.message
  const lines = oneLineEach(text)
    .split('\n')
    .filter((l) => l.trim() !== '')
  // The first lines, then the lines that say what differs: a diff's `- expected` / `+ received`
  // lines (not its context) and pytest's `>` source and `E` error lines.
  const telling = (l: string) => /^\s*(?:[-+](?:\s|$)|>\s|E\s)/.test(l)
  const head: string[] = []
  let left = 0
  for (const [i, l] of lines.entries()) {
    if (head.length < ERROR_LINES && (i < 3 || telling(l))) head.push(l)
    else left++
  }
  const out = head.map((l) => (l.length > LINE_CHARS ? l.slice(0, LINE_CHARS) + '…' : l))
  if (left) out.push(`… ${left} more line(s) in the log`)
  return out.join('\n')
}

function oneLineEach(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => oneLine(l))
    .join('\n')
    .replace(/^\n+|\n+$/g, '')
}
