/**
 * How long `output` text may be in one event, and how longer text is split: shared by the event
 * writer and the Jest worker setup (a small entry of its own, `@threepio/core/output-text`).
 */

/** `output` text longer than this (in UTF-16 units) is split over several events. */
export const MAX_OUTPUT_CHARS = 256 * 1024

/** Splits long text at UTF-16 boundaries that do not break a surrogate pair. */
export function splitText(text: string, maxChars: number = MAX_OUTPUT_CHARS): string[] {
  if (text.length <= maxChars) return [text]
  const parts: string[] = []
  let start = 0
  while (start < text.length) {
    let end = Math.min(start + maxChars, text.length)
    const c = text.charCodeAt(end - 1)
    if (end < text.length && c >= 0xd800 && c <= 0xdbff) end-- // keep the pair together
    parts.push(text.slice(start, end))
    start = end
  }
  return parts
}
