/**
 * report.html: one self-contained page per run (docs/design.md, "report.html"). The run's data
 * is JSON in a non-executable script element, with every `<` written as `\u003c` so that no name
 * or message can close it; the page's own script and style are the only code, allowed by their
 * hashes in a Content-Security-Policy that forbids everything else (no network, no other script).
 */
import { createHash } from 'node:crypto'
import { PAGE_FUNCTIONS } from './page-script.js'
import { PAGE_STYLE } from './page-style.js'
import type { ReportData } from './report-data.js'

export const REPORT_HTML = 'report.html'

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/** JSON that is safe inside `<script type="application/json">`, whatever the strings hold. */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/** Text for the page's title element. */
const escapeText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * The page. `live`: served by `threepio serve`, it follows the run through `events` on the same
 * origin (the policy then allows that one connection).
 */
export function reportHtml(data: ReportData, options: { live?: boolean } = {}): string {
  const script = `${PAGE_FUNCTIONS.map((f) => f.toString()).join('\n')}\npage()`
  const policy = [
    "default-src 'none'",
    ...(options.live ? ["connect-src 'self'"] : []),
    `script-src ${sha256(script)}`,
    `style-src ${sha256(PAGE_STYLE)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
  const title = `${data.run.status} · ${data.run.headline} · threepio`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeText(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body${options.live ? ' data-live="true"' : ''}>
<main id="app"></main>
<script type="application/json" id="threepio-data">${embeddedJson(data)}</script>
<script>${script}</script>
</body>
</html>
`
}
