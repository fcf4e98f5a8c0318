// Starts a FlowState dev server for the browser tests (unless FLOWSTATE_URL points at one) and
// returns the teardown that stops it. Without /usr/bin/chromium every test is skipped, loudly.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM } from './playwright.config.js';

const here = dirname(fileURLToPath(import.meta.url));

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

export async function waitReady(url, proc, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) throw new Error(`the server exited with ${proc.exitCode}; see test-results/server.log`);
    try {
      const res = await fetch(url + '/health/ready');
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}/health/ready did not answer 200 within ${ms} ms`);
}

export default async function globalSetup() {
  if (!existsSync(CHROMIUM)) {
    const bar = '!'.repeat(78);
    console.error(`\n${bar}\n!! BROWSER TESTS SKIPPED: ${CHROMIUM} not found.\n`
      + '!! Install Debian\'s Chromium (apt-get install -y chromium chromium-driver) or set CHROMIUM_PATH.\n'
      + `!! Nothing was tested in a browser.\n${bar}\n`);
    process.env.FLOWSTATE_SKIP_BROWSER = `${CHROMIUM} not found: browser tests skipped`;
    return undefined;
  }
  if (process.env.FLOWSTATE_URL) {
    process.env.FLOWSTATE_URL = process.env.FLOWSTATE_URL.replace(/\/+$/, '');
    await waitReady(process.env.FLOWSTATE_URL, null, 10_000);
    return undefined;
  }
  const jar = resolve(here, '../app/target/flowstate.jar');
  if (!existsSync(jar)) {
    throw new Error(`${jar} is missing: build it first (cd .. && ./mvnw -B -o -DskipTests package)`);
  }
  const port = await freePort();
  mkdirSync(join(here, 'test-results'), { recursive: true });
  const log = createWriteStream(join(here, 'test-results', 'server.log'));
  const proc = spawn('java', ['-jar', jar, 'dev'], {
    env: { ...process.env, FLOWSTATE_HTTP_PORT: String(port), FLOWSTATE_LOG_LEVEL: process.env.FLOWSTATE_LOG_LEVEL ?? 'WARNING' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  const url = `http://localhost:${port}`;
  try {
    await waitReady(url, proc, 60_000);
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  process.env.FLOWSTATE_URL = url;
  return async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}
