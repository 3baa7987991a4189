/// <reference lib="dom" />
/**
 * report.html's code, run in the browser. Each function here is serialised with
 * `Function.prototype.toString` into the page (report-html.ts, {@link PAGE_FUNCTIONS}), so they
 * use nothing but each other and the browser. Everything the run says (names, messages, paths)
 * reaches the page through `textContent` and attribute values, never as markup; links are
 * relative paths inside the run directory.
 */
import type { PageData, PageFailure, PageState } from './page-types.js'

/** An element with a class and text: text is never parsed as markup. */
export function el(tag: string, cls = '', text = ''): HTMLElement {
  const e = document.createElement(tag)
  if (cls) e.className = cls
  if (text) e.textContent = text
  return e
}

/** A link to a file of the run directory (a log), each segment of its path encoded. */
export function link(href: string, text: string): HTMLAnchorElement {
  const a = el('a', '', text) as HTMLAnchorElement
  a.href = href.split('/').map(encodeURIComponent).join('/')
  return a
}

export function copyButton(text: string): HTMLElement {
  const b = el('button', 'copy', 'Copy')
  b.title = 'Copy the command'
  b.addEventListener('click', () => {
    void navigator.clipboard?.writeText(text).then(() => (b.textContent = 'Copied'))
  })
  return b
}

export function ms(n: number): string {
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`
}

export function label(f: { file: string; project?: string; mode?: string }): string {
  return f.file + (f.project ? ` [${f.project}]` : '') + (f.mode ? ` (${f.mode})` : '')
}

/** Status letters (as the history keeps them) and history marks, in words. */
export function word(letter: string): string {
  const words: Record<string, string> = {
    f: 'failed',
    e: 'error',
    p: 'passed',
    s: 'skipped',
    t: 'todo',
    x: 'xfailed',
    X: 'xpassed',
    n: 'new',
    k: 'known',
    F: 'flaky',
    S: 'slower',
  }
  return words[letter] ?? 'unknown'
}

export function renderHeader(s: PageState): void {
  const { run } = s
  const head = el('header')
  const title = el('h1')
  title.append(el('span', `badge ${run.status.toLowerCase()}`, run.status), ` ${run.headline}`)
  const facts = [
    run.runner ? `${run.runner.name} ${run.runner.version}` : '',
    ms(run.durationMs),
    `started ${run.startedAt}`,
    `run ${run.runId}`,
  ]
  head.append(title, el('p', 'facts', facts.filter(Boolean).join(' · ')))
  head.append(el('p', 'command', run.command.join(' ')))
  const h = run.history
  if (h && h.runs > 0) {
    // Flaky failures are the tests the history marks so (run.json counts new ones and fixes).
    let flaky = 0
    for (const f of s.files) for (const m of Object.values(f.marks)) if (m.includes('F')) flaky++
    const words = [
      `${h.newFailures} new failure(s)`,
      `${h.fixed.length} fixed`,
      `${flaky} flaky`,
      `${h.slower.length} much slower`,
    ]
    head.append(el('p', 'facts', `Placed among ${h.runs} earlier runs: ${words.join(', ')}.`))
  }
  if (s.chart.length > 1) head.append(historyChart(s))
  s.head.replaceChildren(head)
}

/** The last runs: passed and failed tests (bars), and how long each took (below). */
export function historyChart(s: PageState): Element {
  const svg = (tag: string, attrs: Record<string, string | number>, text = '') => {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag)
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
    if (text) e.textContent = text
    return e
  }
  const [W, H] = [16, 40]
  const most = Math.max(...s.chart.map((r) => r.passed + r.failed), 1)
  const longest = Math.max(...s.chart.map((r) => r.durationMs), 1)
  const box = svg('svg', { width: s.chart.length * W, height: H + 16, role: 'img', class: 'chart' })
  box.append(svg('title', {}, `The last ${s.chart.length} runs`))
  for (const [i, r] of s.chart.entries()) {
    const g = svg('g', { class: r.runId === s.run.runId ? 'this-run' : '' })
    const [total, failed] = [((r.passed + r.failed) / most) * H, (r.failed / most) * H]
    const bar = (y: number, height: number, cls: string) =>
      svg('rect', { x: i * W + 2, y, width: W - 4, height, class: cls })
    const tip = `${r.runId}: ${r.status}, ${r.passed} passed, ${r.failed} failed, ${ms(r.durationMs)}`
    g.append(
      svg('title', {}, tip),
      bar(H - total, total - failed, 'passed'),
      bar(H - failed, failed, 'failed'),
      bar(H + 4, 2 + (r.durationMs / longest) * 8, 'time'),
    )
    box.append(g)
  }
  const figure = el('figure', 'history')
  const caption = `The last ${s.chart.length} runs of this project: tests passed and failed; below, how long each took. This run is outlined.`
  figure.append(box, el('figcaption', '', caption))
  return figure
}

/** Failures grouped by cause, new before known: each cause's first failure, ten shown. */
export function renderFailures(s: PageState): void {
  s.failures.replaceChildren()
  const { run } = s
  if (!run.failures.length) return
  const section = el('section', 'failures')
  const causes = run.causesTotal > 1 ? ` from ${run.causesTotal} causes` : ''
  section.append(el('h2', '', `Failures (${run.failuresTotal}${causes})`))
  const rank = (f: PageFailure) => (f.history === 'new' || f.history === 'first' ? 0 : 1)
  const seen = new Set<number | undefined>()
  const firsts = [...run.failures]
    .sort((a, b) => rank(a) - rank(b))
    .filter((f) => (f.cause === undefined ? true : !seen.has(f.cause) && !!seen.add(f.cause)))
  for (const [n, f] of firsts.entries()) {
    const item = failureItem(s, f)
    item.hidden = n >= 10
    section.append(item)
  }
  if (firsts.length > 10) {
    const more = el('button', 'more', `Show ${firsts.length - 10} more causes`)
    more.addEventListener('click', () => {
      section.querySelectorAll<HTMLElement>('article[hidden]').forEach((a) => (a.hidden = false))
      more.remove()
    })
    section.append(more)
  }
  s.failures.append(section)
}

export function failureItem(s: PageState, f: PageFailure): HTMLElement {
  const item = el('article', 'failure')
  const name = el('h3')
  name.append(el('span', `tag ${f.status}`, f.status))
  // History words only once there is history (a project's first run has none to tell).
  if (f.history && (s.run.history?.runs ?? 0) > 0)
    name.append(el('span', `tag ${f.history}`, f.history))
  name.append(` ${label(f)}${f.line ? `:${f.line}` : ''}${f.test ? ` › ${f.test}` : ''}`)
  item.append(name, el('pre', 'error', f.message))
  const part = s.failureLogs[s.run.failures.indexOf(f)]
  if (part) {
    const more = el('details', 'log-part')
    more.append(el('summary', '', 'Output and error, from the log'), el('pre', 'error', part))
    item.append(more)
  }
  const cause = f.cause === undefined ? undefined : s.run.causes[f.cause]
  const tools = el('p', 'tools')
  tools.append(link(f.log, 'log'))
  if (cause && cause.count > 1)
    tools.append(` · same cause: ${cause.count - 1} more in ${cause.files} file(s)`)
  item.append(tools)
  if (f.rerun) {
    const rerun = el('p', 'rerun')
    rerun.append(el('code', '', f.rerun), copyButton(f.rerun))
    item.append(rerun)
  }
  return item
}

/** The rows and the chips (each status and history mark, with its count), from the files now. */
export function renderTests(s: PageState): void {
  s.rows = []
  const counts = new Map<string, number>()
  for (const [i, f] of s.files.entries()) {
    for (let j = 0; j < f.statuses.length; j++) s.rows.push([i, j])
    for (const l of f.statuses) counts.set(l, (counts.get(l) ?? 0) + 1)
    for (const m of Object.values(f.marks))
      for (const l of m) counts.set(l, (counts.get(l) ?? 0) + 1)
  }
  s.heading.textContent = `Tests (${s.rows.length.toLocaleString('en-US')})`
  s.chips.replaceChildren()
  const chip = (key: string, set: Set<string>) => {
    const b = el(
      'button',
      `chip ${word(key)}`,
      `${word(key)} ${counts.get(key)!.toLocaleString('en-US')}`,
    )
    b.setAttribute('aria-pressed', String(set.has(key)))
    b.dataset.status = word(key)
    b.addEventListener('click', () => {
      if (set.has(key)) set.delete(key)
      else set.add(key)
      b.setAttribute('aria-pressed', String(set.has(key)))
      refilter(s, false)
    })
    s.chips.append(b)
  }
  for (const l of 'fepstxX') if (counts.has(l)) chip(l, s.chosen)
  for (const m of 'nkFS') if (counts.has(m)) chip(m, s.marked)
}

export function refilter(s: PageState, keepScroll: boolean): void {
  const text = s.search.value.trim().toLowerCase()
  const out: number[] = []
  for (let r = 0; r < s.rows.length; r++) {
    const [i, j] = s.rows[r]!
    const f = s.files[i]!
    if (s.chosen.size && !s.chosen.has(f.statuses[j]!)) continue
    if (s.marked.size && ![...(f.marks[j] ?? '')].some((m) => s.marked.has(m))) continue
    if (text && !`${label(f)} › ${f.names[j] ?? ''}`.toLowerCase().includes(text)) continue
    out.push(r)
  }
  s.visible = Int32Array.from(out)
  s.shown.textContent = `${s.visible.length.toLocaleString('en-US')} shown`
  s.spacer.style.height = `${s.visible.length * 28}px`
  // As tall as its rows, up to most of the window.
  s.viewport.style.height = `min(70vh, ${Math.max(s.visible.length, 1) * 28 + 2}px)`
  if (!keepScroll) s.viewport.scrollTop = 0
  draw(s)
}

/** Only the rows in view (and a few around them) are in the document. */
export function draw(s: PageState): void {
  const first = Math.max(0, Math.floor(s.viewport.scrollTop / 28) - 5)
  const last = Math.min(s.visible.length, first + Math.ceil(s.viewport.clientHeight / 28) + 10)
  const frag = document.createDocumentFragment()
  for (let k = first; k < last; k++) {
    const [i, j] = s.rows[s.visible[k]!]!
    const f = s.files[i]!
    const status = word(f.statuses[j]!)
    const row = el('div', `row ${status}`)
    row.style.top = `${k * 28}px`
    row.dataset.status = status
    const name = el('span', 'name')
    for (const m of f.marks[j] ?? '') name.append(el('span', `tag ${word(m)}`, word(m)))
    name.append(f.names[j] ?? '')
    const time = f.durations[j] !== undefined ? ms(f.durations[j]!) : ''
    row.append(el('span', `dot ${status}`, status), name, pastCell(f.past[j] ?? f.pastMost ?? ''))
    row.append(el('span', 'file', label(f)))
    row.append(el('span', 'time', time), link(f.log, 'log'))
    frag.append(row)
  }
  s.list.replaceChildren(frag)
}

/** A test's outcomes in the earlier runs of the chart, oldest first: one small square each. */
export function pastCell(letters: string): HTMLElement {
  const cell = el('span', 'past')
  if (!letters) return cell
  cell.title = `Earlier runs, oldest first: ${[...letters].map((l) => (l === '·' ? 'not run' : word(l))).join(', ')}`
  for (const l of letters) cell.append(el('i', l === '·' ? 'none' : word(l)))
  return cell
}

/** The page: its parts, the data from the page itself, and (served) the run as it changes. */
export function page(): void {
  const data = JSON.parse(document.getElementById('threepio-data')!.textContent!) as PageData
  const root = document.getElementById('app')!
  const tests = el('section', 'tests')
  const bar = el('div', 'filters')
  const s: PageState = {
    ...data,
    head: el('div'),
    failures: el('div'),
    heading: el('h2'),
    chips: el('span', 'chips'),
    shown: el('span', 'shown'),
    search: el('input') as HTMLInputElement,
    viewport: el('div', 'viewport'),
    spacer: el('div', 'spacer'),
    list: el('div', 'rows'),
    rows: [],
    visible: new Int32Array(0),
    chosen: new Set(),
    marked: new Set(),
  }
  s.search.type = 'search'
  s.search.placeholder = 'Filter by file or test name'
  s.search.setAttribute('aria-label', 'Filter by file or test name')
  bar.append(s.search, s.chips, s.shown)
  s.viewport.append(s.spacer, s.list)
  tests.append(s.heading, bar, s.viewport)
  root.append(s.head, s.failures, tests)
  let pending = 0
  s.viewport.addEventListener('scroll', () => {
    if (!pending) pending = requestAnimationFrame(() => ((pending = 0), draw(s)))
  })
  let typing = 0
  s.search.addEventListener('input', () => {
    clearTimeout(typing)
    typing = window.setTimeout(() => refilter(s, false), 120)
  })
  const render = (keepScroll: boolean) => {
    renderHeader(s)
    renderFailures(s)
    renderTests(s)
    refilter(s, keepScroll)
  }
  render(false)
  // Served by `threepio serve`: the run as the log writer sees it, again after each change.
  // Messages that arrive while the page is busy are skipped for the newest.
  let newest: string | undefined
  if (document.body.dataset.live === 'true')
    new EventSource('events').addEventListener('message', (message: MessageEvent<string>) => {
      if (newest === undefined)
        setTimeout(() => {
          Object.assign(s, JSON.parse(newest!) as PageData)
          newest = undefined
          render(true)
        })
      newest = message.data
    })
}

/** Everything the page runs, in the order it is written into the page; `page()` starts it. */
export const PAGE_FUNCTIONS = [
  el,
  link,
  copyButton,
  ms,
  label,
  word,
  renderHeader,
  historyChart,
  renderFailures,
  failureItem,
  renderTests,
  refilter,
  draw,
  pastCell,
  page,
]
