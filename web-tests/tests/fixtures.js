// Shared helpers: `users` opens one browser context per person on the app; on a failing test every
// open page is screenshotted into test-results/ (kept as artifacts).
import { test as base, expect } from '@playwright/test';
import { randomUUID } from 'node:crypto';

export { expect };

export const baseUrl = () => process.env.FLOWSTATE_URL;

// Runs in the page before the app: records every WebSocket so a test can drop them, and can refuse
// new ones (`__ws.blocked`) to keep the app offline for a while (the connection then fails like an
// unreachable server: the app sees a close and retries with backoff).
function trackSockets() {
  const Native = window.WebSocket;
  const state = { sockets: [], blocked: false };
  window.__ws = state;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(state.blocked ? String(url).replace('/v1/ws', '/v1/ws-blocked-by-test') : url, protocols);
      state.sockets.push(this);
    }
  };
}

export const test = base.extend({
  users: async ({ browser }, use, testInfo) => {
    const opened = [];
    const open = async (name, room) => {
      const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
      await context.addInitScript(trackSockets);
      await context.addInitScript((n) => localStorage.setItem('flowstate.name', n), name);
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`));
      page.on('console', (m) => {
        // 404s are expected: the guest-access probe and favicon.ico.
        if (m.type() === 'error' && !m.text().includes('404')) console.error(`[${name}] console: ${m.text()}`);
      });
      opened.push({ name, context, page });
      await page.goto(`${baseUrl()}/#${encodeURIComponent(room)}`);
      await expect(page.locator('#status')).toHaveAttribute('data-state', 'connected');
      await page.waitForFunction((r) => window.flowstate && window.flowstate.version(r) !== null, room);
      return page;
    };
    await use({ open });
    const failed = testInfo.status !== testInfo.expectedStatus;
    for (const { name, context, page } of opened) {
      if (failed) {
        const path = testInfo.outputPath(`failure-${name}.png`);
        await page.screenshot({ path, fullPage: true }).catch(() => {});
        await testInfo.attach(`screenshot ${name}`, { path, contentType: 'image/png' }).catch(() => {});
      }
      await context.close();
    }
  },
});

if (process.env.FLOWSTATE_SKIP_BROWSER) {
  console.error(`SKIPPED: ${process.env.FLOWSTATE_SKIP_BROWSER}`);
}

export function newRoom(prefix = 't') {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Picks a tool and drags on the canvas from `from` to `to` (canvas-relative pixels). */
export async function draw(page, toolLabel, from, to) {
  await page.getByRole('button', { name: toolLabel }).click();
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.move(box.x + from[0], box.y + from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + (from[0] + to[0]) / 2, box.y + (from[1] + to[1]) / 2, { steps: 3 });
  await page.mouse.move(box.x + to[0], box.y + to[1], { steps: 3 });
  await page.mouse.up();
}

export async function hoverCanvas(page, at) {
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.move(box.x + at[0], box.y + at[1], { steps: 4 });
}

/** Waits until the page has no pending ops, then returns {version, hash, count} of its room state. */
export async function settled(page, room) {
  await page.waitForFunction((r) => window.flowstate.status === 'connected' && window.flowstate.pending(r).length === 0,
    room);
  return page.evaluate(async (r) => {
    const s = window.flowstate.state(r);
    return { version: window.flowstate.version(r), hash: await s.hash(), count: s.size };
  }, room);
}

export async function serverState(room) {
  const res = await fetch(`${baseUrl()}/v1/rooms/${encodeURIComponent(room)}/state`);
  if (!res.ok) throw new Error(`state of ${room}: HTTP ${res.status}`);
  return res.json();
}
