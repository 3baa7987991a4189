/** report.html's style: light and dark, following the reader's system. */
export const PAGE_STYLE = `
:root { color-scheme: light dark; --bg: #fbfbfa; --fg: #1d1f21; --muted: #6a6f75; --line: #e3e4e6;
  --card: #ffffff; --red: #c62828; --green: #2e7d32; --amber: #a86400; --blue: #1f5fbf; }
@media (prefers-color-scheme: dark) { :root { --bg: #15171a; --fg: #e4e6e8; --muted: #9aa0a6;
  --line: #2c3035; --card: #1c1f23; --red: #ef6b6b; --green: #66bb6a; --amber: #e0a040; --blue: #7aa7ff; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 20px; margin: 0 0 6px; font-weight: 600; }
h2 { font-size: 16px; margin: 28px 0 10px; }
h3 { font-size: 14px; margin: 0 0 6px; font-weight: 600; word-break: break-word; }
a { color: var(--blue); }
.facts, .command { color: var(--muted); margin: 2px 0; }
.command { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; word-break: break-all; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; color: #fff; font-size: 13px;
  letter-spacing: .03em; background: var(--muted); vertical-align: 2px; }
.badge.passed { background: var(--green); } .badge.failed, .badge.error { background: var(--red); }
.badge.interrupted, .badge.incomplete { background: var(--amber); }
.failure { background: var(--card); border: 1px solid var(--line); border-left: 3px solid var(--red);
  border-radius: 6px; padding: 12px 14px; margin: 10px 0; }
.tag { display: inline-block; font-size: 11px; text-transform: uppercase; letter-spacing: .04em;
  border: 1px solid var(--line); border-radius: 3px; padding: 0 5px; margin-right: 6px; color: var(--muted); }
.tag.failed, .tag.error { color: var(--red); border-color: var(--red); }
.tag.new, .tag.first, .tag.flaky { color: var(--amber); border-color: var(--amber); }
.tag.slower { color: var(--blue); border-color: var(--blue); }
.row .name .tag { font-size: 10px; padding: 0 4px; margin-right: 5px; vertical-align: 1px; }
pre.error { margin: 6px 0; padding: 8px 10px; background: var(--bg); border-radius: 4px; overflow: auto;
  max-height: 320px; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; }
.log-part summary { cursor: pointer; color: var(--muted); font-size: 12px; margin-top: 4px; }
.tools, .rerun { margin: 4px 0 0; color: var(--muted); }
.rerun code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--bg);
  padding: 2px 6px; border-radius: 4px; word-break: break-all; }
button { font: inherit; cursor: pointer; }
.more { padding: 4px 12px; border: 1px solid var(--line); background: var(--card); color: var(--fg);
  border-radius: 6px; }
.copy { margin-left: 8px; font-size: 12px; padding: 1px 8px; border: 1px solid var(--line);
  background: var(--card); color: var(--fg); border-radius: 4px; }
.history { margin: 10px 0 0; display: flex; gap: 12px; align-items: flex-end; }
.history figcaption { color: var(--muted); font-size: 12px; max-width: 420px; }
.chart .passed { fill: var(--green); } .chart .failed { fill: var(--red); } .chart .time { fill: var(--muted); }
.chart .this-run rect { stroke: var(--fg); stroke-width: 1; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
.filters input { flex: 1 1 280px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--card); color: var(--fg); }
.chip { padding: 3px 10px; border: 1px solid var(--line); border-radius: 999px; background: var(--card); color: var(--fg); }
.chip[aria-pressed="true"] { background: var(--fg); color: var(--bg); }
.shown { color: var(--muted); font-size: 12px; }
.viewport { position: relative; height: 70vh; overflow: auto; border: 1px solid var(--line);
  border-radius: 6px; background: var(--card); }
.rows { position: absolute; inset: 0 0 auto 0; }
.row { position: absolute; left: 0; right: 0; height: 28px; display: grid;
  grid-template-columns: 72px minmax(0, 2fr) 140px minmax(0, 1.2fr) 70px 36px; gap: 10px; align-items: center;
  padding: 0 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
.row span { overflow: hidden; text-overflow: ellipsis; }
.past { display: flex; gap: 1px; justify-content: flex-end; }
.past i { width: 6px; height: 12px; border-radius: 1px; background: var(--line); }
.past i.passed { background: var(--green); } .past i.failed, .past i.error { background: var(--red); }
.past i.skipped, .past i.todo { background: var(--muted); } .past i.xfailed, .past i.xpassed { background: var(--amber); }
.row .file, .row .time { color: var(--muted); font-size: 12px; }
.row .time { text-align: right; }
.dot { font-size: 12px; } .dot.failed, .dot.error { color: var(--red); } .dot.passed { color: var(--green); }
.dot.skipped, .dot.todo { color: var(--muted); } .dot.xfailed, .dot.xpassed { color: var(--amber); }
`
