/** Markdown pieces that survive any content: names, commands and paths from the user's project. */
import { oneLine } from './log-format.js'

/** Inline code that survives any content (backticks, pipes, newlines). */
export function code(text: string, max = 200): string {
  let t = oneLine(text)
  if (t.length > max) t = t.slice(0, max) + '…'
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length))
  const fence = '`'.repeat(longest + 1)
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${t.replace(/\|/g, '\\|')}${pad}${fence}`
}

/** A relative link target that Markdown renderers accept for any log name. */
export function href(log: string): string {
  return log
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/\(/g, '%28').replace(/\)/g, '%29'))
    .join('/')
}
