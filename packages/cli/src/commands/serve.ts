/**
 * `threepio serve [run] [--port <n>]`: the run's page from 127.0.0.1 only, following the run as
 * it is written (docs/design.md, "report.html"). Read-only: the page, its stream of changes
 * (`/events`) and the run's logs (`/logs/…`), nothing outside the run directory, and nothing for
 * a request from another origin or to another host name (DNS rebinding). Ends on SIGINT or
 * SIGTERM.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, sep } from 'node:path'
import { LOGS_DIR } from '@threepio/core'
import { embeddedJson, LiveReport, reportHtml } from '@threepio/log-writer'
import { UsageError, type CliIo } from '../io.js'
import { Broadcast } from './broadcast.js'

const COMMON = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

export async function serve(runDir: string, portText: string | undefined, io: CliIo) {
  const port = portText === undefined ? 0 : Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number from 0 to 65535; received "${portText}"`)
  const live = new LiveReport(runDir)
  const stream = streamOf(live)
  const server = createServer((req, res) => {
    try {
      handle(req, res, { runDir, live, stream }, (server.address() as AddressInfo).port)
    } catch {
      if (!res.headersSent) res.writeHead(500, COMMON)
      res.end()
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const { port: bound } = server.address() as AddressInfo
  io.out(`http://127.0.0.1:${bound}/\n`)
  io.err(`threepio: serving ${runDir} (Ctrl+C ends)\n`)
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      live.close()
      server.closeAllConnections()
      server.close(() => resolve())
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  return 0
}

interface Served {
  runDir: string
  live: LiveReport
  stream: (req: IncomingMessage, res: ServerResponse) => void
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  { runDir, live, stream }: Served,
  port: number,
): void {
  if (!fromHere(req, port)) return refuse(res, 403, 'not from this page')
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'read-only')
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
  if (path === '/') {
    res.writeHead(200, { ...COMMON, 'Content-Type': 'text/html; charset=utf-8' })
    return void res.end(reportHtml(live.data(), { live: true }))
  }
  if (path === '/events') return stream(req, res)
  const log = logFile(runDir, path)
  if (!log) return refuse(res, 404, 'not a log of this run')
  res.writeHead(200, {
    ...COMMON,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'",
  })
  if (req.method === 'HEAD') return void res.end()
  createReadStream(log)
    .on('error', () => res.destroy())
    .pipe(res)
}

/** A request from the page itself: to 127.0.0.1 or localhost on this port, from no other origin. */
function fromHere(req: IncomingMessage, port: number): boolean {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`]
  if (!hosts.includes(req.headers.host ?? '')) return false
  const origin = req.headers.origin
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) return false
  const site = req.headers['sec-fetch-site']
  return site === undefined || site === 'same-origin' || site === 'none'
}

/** A file under the run's logs/, resolved through any link, or undefined. */
function logFile(runDir: string, path: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return undefined
  }
  if (!decoded.startsWith(`/${LOGS_DIR}/`) || decoded.includes('\0')) return undefined
  try {
    const logs = realpathSync(join(runDir, LOGS_DIR)) + sep
    const file = realpathSync(join(runDir, decoded))
    return file.startsWith(logs) && statSync(file).isFile() ? file : undefined
  } catch {
    return undefined
  }
}

/** Server-sent events: the page's data now, then after each change, built once for all pages. */
function streamOf(live: LiveReport) {
  const message = (data: unknown) => `data: ${embeddedJson(data)}\n\n`
  const pages = new Broadcast()
  let unsubscribe: (() => void) | undefined
  return (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { ...COMMON, 'Content-Type': 'text/event-stream; charset=utf-8' })
    res.write(message(live.data()))
    pages.add(res)
    unsubscribe ??= live.onChange((data) => pages.send(message(data)))
    req.on('close', () => {
      pages.remove(res)
      if (pages.size) return
      unsubscribe?.()
      unsubscribe = undefined
    })
  }
}

function refuse(res: ServerResponse, status: number, why: string): void {
  res.writeHead(status, { ...COMMON, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(`threepio serve: ${why}\n`)
}
