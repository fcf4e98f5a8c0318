// The server itself goes away: this test runs its own dev server (with a data directory, so the
// embedded PostgreSQL keeps the op log), stops it while two users are connected, lets one of them
// keep drawing offline, starts it again on the same port, and checks that nothing was lost.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, newRoom, draw, settled } from './fixtures.js';
import { freePort, waitReady } from '../global-setup.js';

const jar = resolve(dirname(fileURLToPath(import.meta.url)), '../../app/target/flowstate.jar');

test.skip(Boolean(process.env.FLOWSTATE_SKIP_BROWSER), process.env.FLOWSTATE_SKIP_BROWSER);
test.skip(!existsSync(jar), `${jar} is missing: build it first`);
test.setTimeout(120_000);

function startServer(port, dataDir, log) {
  const proc = spawn('java', ['-jar', jar, 'dev'], {
    env: { ...process.env, FLOWSTATE_HTTP_PORT: String(port), FLOWSTATE_DATA_DIR: dataDir, FLOWSTATE_LOG_LEVEL: 'WARNING' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.pipe(log, { end: false });
  proc.stderr.pipe(log, { end: false });
  return proc;
}

async function stop(proc) {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

test('the server restarts under two connected users: they reconnect and nothing is lost', async ({ browser }, testInfo) => {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'flowstate-web-tests-'));
  const log = createWriteStream(testInfo.outputPath('server.log'));
  let server = startServer(port, dataDir, log);
  const contexts = [];
  const pages = {};
  try {
    await waitReady(url, server, 60_000);
    const room = newRoom('restart');
    for (const name of ['Alice', 'Bob']) {
      const context = await browser.newContext();
      contexts.push(context);
      await context.addInitScript((n) => localStorage.setItem('flowstate.name', n), name);
      const page = await context.newPage();
      pages[name] = page;
      await page.goto(`${url}/#${room}`);
      await expect(page.locator('#status')).toHaveAttribute('data-state', 'connected', { timeout: 15_000 });
    }
    const { Alice: alice, Bob: bob } = pages;
    await draw(alice, 'Rectangle (R)', [80, 80], [180, 160]);
    await expect(bob.locator('#shapes > g[data-id]')).toHaveCount(1);
    await settled(alice, room);

    await stop(server); // drains: the server closes every WebSocket (1001) and exits
    server = null;
    await expect(alice.locator('#status')).toHaveAttribute('data-state', 'reconnecting');
    await draw(alice, 'Ellipse (O)', [250, 80], [350, 160]);
    await expect(alice.locator('#status')).toContainText('1 pending');

    server = startServer(port, dataDir, log);
    await waitReady(url, server, 60_000);
    for (const page of [alice, bob]) await page.evaluate(() => window.dispatchEvent(new Event('online')));
    for (const page of [alice, bob]) {
      await expect(page.locator('#status')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
      await expect(page.locator('#shapes > g[data-id]')).toHaveCount(2);
    }
    const a = await settled(alice, room);
    const b = await settled(bob, room);
    expect(a).toEqual(b);
    expect(a.version).toBe(2);
  } catch (e) {
    for (const [name, page] of Object.entries(pages)) {
      await page.screenshot({ path: testInfo.outputPath(`failure-${name}.png`) }).catch(() => {});
    }
    throw e;
  } finally {
    for (const c of contexts) await c.close();
    await stop(server);
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
