/// <reference lib="dom" />
/**
 * report.html's code, run in the browser. It is serialised with `Function.prototype.toString`
 * into the page (report-html.ts), so it uses nothing from outside its own body. Everything the
 * run says (names, messages, paths) reaches the page through `textContent` and attribute values,
 * never as markup; links are relative paths inside the run directory.
 */
export function page(): void {
  type File = {
    file: string
    project?: string
    mode?: string
    status: string
    log: string
    error?: string
    names: string[]
    statuses: string
    durations: Record<number, number>
    marks: Record<number, string>
  }
  type Failure = {
    file: string
    project?: string
    test?: string
    status: string
    message: string
    line?: number
    rerun?: string
    log: string
    cause?: number
    history?: string
    since?: string
  }
  type Run = {
    status: string
    closing: string
    headline: string
    runner: { name: string; version: string } | null
    command: string[]
    rootDir: string | null
    runId: string
    startedAt: string
    durationMs: number
    failures: Failure[]
    failuresTotal: number
    causes: Array<{ signature: string; count: number; files: number }>
    causesTotal: number
    history?: { runs: number; newFailures?: number; fixed?: unknown[]; flaky?: unknown[] }
  }
  type ChartRun = {
    runId: string
    time: number
    status: string
    durationMs: number
    passed: number
    failed: number
  }
  type Data = { run: Run; files: File[]; chart: ChartRun[]; failureLogs: string[] }
  let { run, files, chart, failureLogs } = JSON.parse(
    document.getElementById('threepio-data')!.textContent!,
  ) as Data
  const WORDS: Record<string, string> = {
    f: 'failed',
    e: 'error',
    p: 'passed',
    s: 'skipped',
    t: 'todo',
    x: 'xfailed',
    X: 'xpassed',
  }
  const ROW = 28
  const MARKS: Record<string, string> = { n: 'new', k: 'known', F: 'flaky', S: 'slower' }

  /** An element with a class and text: text is never parsed as markup. */
  function el(tag: string, cls = '', text = ''): HTMLElement {
    const e = document.createElement(tag)
    if (cls) e.className = cls
    if (text) e.textContent = text
    return e
  }
  function link(href: string, text: string): HTMLAnchorElement {
    const a = el('a', '', text) as HTMLAnchorElement
    // Relative paths inside the run directory only (a log), each segment encoded.
    a.href = href.split('/').map(encodeURIComponent).join('/')
    return a
  }
  function copyButton(text: string): HTMLElement {
    const b = el('button', 'copy', 'Copy')
    b.title = 'Copy the command'
    b.addEventListener('click', () => {
      void navigator.clipboard?.writeText(text).then(() => (b.textContent = 'Copied'))
    })
    return b
  }
  const ms = (n: number) => (n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`)
  const label = (f: { file: string; project?: string; mode?: string }) =>
    f.file + (f.project ? ` [${f.project}]` : '') + (f.mode ? ` (${f.mode})` : '')

  // --- header ---------------------------------------------------------------------------------
  const root = document.getElementById('app')!
  const headSlot = el('div')
  const failSlot = el('div')
  root.append(headSlot, failSlot)
  function renderHeader(): void {
    const head = el('header')
    const status = el('span', `badge ${run.status.toLowerCase()}`, run.status)
    const title = el('h1')
    title.append(status, ` ${run.headline}`)
    head.append(title)
    const facts = el('p', 'facts')
    facts.textContent = [
      run.runner ? `${run.runner.name} ${run.runner.version}` : '',
      ms(run.durationMs),
      `started ${run.startedAt}`,
      `run ${run.runId}`,
    ]
      .filter(Boolean)
      .join(' · ')
    head.append(facts, el('p', 'command', run.command.join(' ')))
    if (run.history && run.history.runs > 0)
      head.append(
        el(
          'p',
          'facts',
          `Placed among ${run.history.runs} earlier runs: ${run.history.newFailures ?? 0} new failure(s), ${run.history.fixed?.length ?? 0} fixed, ${run.history.flaky?.length ?? 0} flaky.`,
        ),
      )
    if (chart.length > 1) head.append(historyChart())
    headSlot.replaceChildren(head)
  }

  /** The last runs: passed and failed tests (bars), and how long each took (the line below). */
  function historyChart(): Element {
    const NS = 'http://www.w3.org/2000/svg'
    const svg = (tag: string, attrs: Record<string, string | number>, text = '') => {
      const e = document.createElementNS(NS, tag)
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
      if (text) e.textContent = text
      return e
    }
    const W = 16
    const H = 40
    const most = Math.max(...chart.map((r) => r.passed + r.failed), 1)
    const longest = Math.max(...chart.map((r) => r.durationMs), 1)
    const box = svg('svg', { width: chart.length * W, height: H + 16, role: 'img', class: 'chart' })
    box.append(
      svg('title', {}, `The last ${chart.length} runs: tests passed and failed, and duration`),
    )
    for (const [i, r] of chart.entries()) {
      const g = svg('g', { class: r.runId === run.runId ? 'this-run' : '' })
      const total = ((r.passed + r.failed) / most) * H
      const failed = (r.failed / most) * H
      g.append(
        svg(
          'title',
          {},
          `${r.runId}: ${r.status}, ${r.passed} passed, ${r.failed} failed, ${ms(r.durationMs)}`,
        ),
        svg('rect', {
          x: i * W + 2,
          y: H - total,
          width: W - 4,
          height: total - failed,
          class: 'passed',
        }),
        svg('rect', { x: i * W + 2, y: H - failed, width: W - 4, height: failed, class: 'failed' }),
        svg('rect', {
          x: i * W + 2,
          y: H + 4,
          width: W - 4,
          height: 2 + (r.durationMs / longest) * 8,
          class: 'time',
        }),
      )
      box.append(g)
    }
    const figure = el('figure', 'history')
    figure.append(
      box,
      el(
        'figcaption',
        '',
        `The last ${chart.length} runs of this project: tests passed and failed; below, how long each took. This run is outlined.`,
      ),
    )
    return figure
  }

  // --- failures, grouped by cause, new before known --------------------------------------------
  function renderFailures(): void {
    failSlot.replaceChildren()
    if (run.failures.length) {
      const section = el('section', 'failures')
      const causes = run.causesTotal > 1 ? ` from ${run.causesTotal} causes` : ''
      section.append(el('h2', '', `Failures (${run.failuresTotal}${causes})`))
      const rank = (f: Failure) => (f.history === 'new' || f.history === 'first' ? 0 : 1)
      const seen = new Set<number | undefined>()
      const firsts = [...run.failures]
        .sort((a, b) => rank(a) - rank(b))
        .filter((f) => (f.cause === undefined ? true : !seen.has(f.cause) && !!seen.add(f.cause)))
      const FIRST_SHOWN = 10
      for (const [n, f] of firsts.entries()) {
        const item = el('article', 'failure')
        if (n >= FIRST_SHOWN) item.hidden = true
        const name = el('h3')
        name.append(el('span', `tag ${f.status}`, f.status))
        // History words only once there is history (a project's first run has none to tell).
        if (f.history && (run.history?.runs ?? 0) > 0)
          name.append(el('span', `tag ${f.history}`, f.history))
        name.append(` ${label(f)}${f.line ? `:${f.line}` : ''}${f.test ? ` › ${f.test}` : ''}`)
        item.append(name, el('pre', 'error', f.message))
        const part = failureLogs[run.failures.indexOf(f)]
        if (part) {
          const more = el('details', 'log-part')
          more.append(el('summary', '', 'Output and error, from the log'), el('pre', 'error', part))
          item.append(more)
        }
        const cause = f.cause === undefined ? undefined : run.causes[f.cause]
        const more = cause ? cause.count - 1 : 0
        const tools = el('p', 'tools')
        tools.append(link(f.log, 'log'))
        if (more > 0) tools.append(` · same cause: ${more} more in ${cause!.files} file(s)`)
        item.append(tools)
        if (f.rerun) {
          const rerun = el('p', 'rerun')
          rerun.append(el('code', '', f.rerun), copyButton(f.rerun))
          item.append(rerun)
        }
        section.append(item)
      }
      if (firsts.length > FIRST_SHOWN) {
        const more = el('button', 'more', `Show ${firsts.length - FIRST_SHOWN} more causes`)
        more.addEventListener('click', () => {
          section
            .querySelectorAll<HTMLElement>('article[hidden]')
            .forEach((a) => (a.hidden = false))
          more.remove()
        })
        section.append(more)
      }
      failSlot.append(section)
    }
  }

  // --- every test: filters and a list that draws only the rows in view -------------------------
  let rows: Array<[number, number]> = []
  const section = el('section', 'tests')
  const heading = el('h2')
  section.append(heading)
  const bar = el('div', 'filters')
  const search = el('input') as HTMLInputElement
  search.type = 'search'
  search.placeholder = 'Filter by file or test name'
  search.setAttribute('aria-label', 'Filter by file or test name')
  const chips = el('span', 'chips')
  const shown = el('span', 'shown')
  bar.append(search, chips, shown)
  const chosen = new Set<string>()
  const marked = new Set<string>()
  /** The rows and the status chips, from the files as they are now. */
  function renderTests(): void {
    rows = []
    for (let i = 0; i < files.length; i++)
      for (let j = 0; j < files[i]!.statuses.length; j++) rows.push([i, j])
    heading.textContent = `Tests (${rows.length.toLocaleString('en-US')})`
    const counts = new Map<string, number>()
    for (const f of files) {
      for (const l of f.statuses) counts.set(l, (counts.get(l) ?? 0) + 1)
      for (const m of Object.values(f.marks))
        for (const l of m) counts.set(l, (counts.get(l) ?? 0) + 1)
    }
    chips.replaceChildren()
    const chip = (key: string, word: string, set: Set<string>) => {
      const b = el('button', `chip ${word}`, `${word} ${counts.get(key)!.toLocaleString('en-US')}`)
      b.setAttribute('aria-pressed', String(set.has(key)))
      b.dataset.status = word
      b.addEventListener('click', () => {
        if (set.has(key)) set.delete(key)
        else set.add(key)
        b.setAttribute('aria-pressed', String(set.has(key)))
        refilter()
      })
      chips.append(b)
    }
    for (const l of 'fepstxX') if (counts.has(l)) chip(l, WORDS[l]!, chosen)
    for (const m of 'nkFS') if (counts.has(m)) chip(m, MARKS[m]!, marked)
  }
  const viewport = el('div', 'viewport')
  const spacer = el('div', 'spacer')
  const list = el('div', 'rows')
  viewport.append(spacer, list)
  section.append(bar, viewport)
  root.append(section)

  let visible = new Int32Array(0)
  function refilter(keepScroll = false): void {
    const text = search.value.trim().toLowerCase()
    const out: number[] = []
    for (let r = 0; r < rows.length; r++) {
      const [i, j] = rows[r]!
      const f = files[i]!
      if (chosen.size && !chosen.has(f.statuses[j]!)) continue
      if (marked.size && ![...(f.marks[j] ?? '')].some((m) => marked.has(m))) continue
      if (text && !`${label(f)} › ${f.names[j] ?? ''}`.toLowerCase().includes(text)) continue
      out.push(r)
    }
    visible = Int32Array.from(out)
    shown.textContent = `${visible.length.toLocaleString('en-US')} shown`
    spacer.style.height = `${visible.length * ROW}px`
    // As tall as its rows, up to most of the window.
    viewport.style.height = `min(70vh, ${Math.max(visible.length, 1) * ROW + 2}px)`
    if (!keepScroll) viewport.scrollTop = 0
    draw()
  }
  function draw(): void {
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW) - 5)
    const last = Math.min(visible.length, first + Math.ceil(viewport.clientHeight / ROW) + 10)
    const frag = document.createDocumentFragment()
    for (let k = first; k < last; k++) {
      const [i, j] = rows[visible[k]!]!
      const f = files[i]!
      const word = WORDS[f.statuses[j]!] ?? 'unknown'
      const row = el('div', `row ${word}`)
      row.style.top = `${k * ROW}px`
      row.dataset.status = word
      row.append(
        el('span', `dot ${word}`, word),
        name(f.names[j] ?? '', f.marks[j] ?? ''),
        el('span', 'file', label(f)),
        el('span', 'time', f.durations[j] !== undefined ? ms(f.durations[j]!) : ''),
        link(f.log, 'log'),
      )
      frag.append(row)
    }
    list.replaceChildren(frag)
  }
  function name(text: string, marks: string): HTMLElement {
    const cell = el('span', 'name')
    for (const m of marks) cell.append(el('span', `tag ${MARKS[m]}`, MARKS[m]!))
    cell.append(text)
    return cell
  }
  let pending = 0
  viewport.addEventListener('scroll', () => {
    if (!pending) pending = requestAnimationFrame(() => ((pending = 0), draw()))
  })
  let typing = 0
  search.addEventListener('input', () => {
    clearTimeout(typing)
    typing = window.setTimeout(refilter, 120)
  })

  function renderAll(keepScroll: boolean): void {
    renderHeader()
    renderFailures()
    renderTests()
    refilter(keepScroll)
  }
  renderAll(false)
  // Served by `threepio serve`: the run as the log writer sees it, again after each change.
  if (document.body.dataset.live === 'true') {
    const events = new EventSource('events')
    events.addEventListener('message', (message: MessageEvent<string>) => {
      ;({ run, files, chart, failureLogs } = JSON.parse(message.data) as Data)
      renderAll(true)
    })
  }
}
