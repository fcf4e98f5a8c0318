// The whiteboard in a real browser: two guests on one open room (dev mode).
import { test, expect, newRoom, draw, hoverCanvas, settled, serverState } from './fixtures.js';

test.skip(Boolean(process.env.FLOWSTATE_SKIP_BROWSER), process.env.FLOWSTATE_SKIP_BROWSER);

const rects = (page) => page.locator('#shapes [data-type="rect"]');
const shapes = (page) => page.locator('#shapes > g[data-id]');

test('one draws, the other sees the shape and the cursor; undo and redo reach both', async ({ users }) => {
  const room = newRoom('draw');
  const alice = await users.open('Alice', room);
  const bob = await users.open('Bob', room);

  await draw(alice, 'Rectangle (R)', [120, 120], [320, 240]);
  await expect(rects(alice)).toHaveCount(1);
  await expect(rects(bob)).toHaveCount(1);
  const rect = await bob.locator('#shapes [data-type="rect"] rect').first();
  expect(Number(await rect.getAttribute('width'))).toBeGreaterThan(150);

  // Alice's cursor, named and coloured, on Bob's screen; both see each other in the member list.
  const aliceId = await alice.evaluate(() => window.flowstate.user.id);
  await hoverCanvas(alice, [420, 300]);
  const cursor = bob.locator(`#cursors .cursor[data-user="${aliceId}"]`);
  await expect(cursor).toBeVisible();
  await expect(cursor).toHaveAttribute('aria-label', 'Cursor of Alice');
  await expect(cursor.locator('text')).toHaveText('Alice');
  await expect(bob.locator('#members')).toContainText('Alice');
  await expect(alice.locator('#members')).toContainText('Bob');

  // Keyboard undo in Alice's tab reverts the rectangle in both; redo brings it back.
  await alice.locator('#canvas').focus();
  await alice.keyboard.press('Control+z');
  await expect(rects(alice)).toHaveCount(0);
  await expect(rects(bob)).toHaveCount(0);
  await alice.keyboard.press('Shift+Control+z');
  await expect(rects(alice)).toHaveCount(1);
  await expect(rects(bob)).toHaveCount(1);

  const a = await settled(alice, room);
  const b = await settled(bob, room);
  expect(a).toEqual(b);
  expect(a.version).toBe(3);
  expect((await serverState(room)).hash).toBe(a.hash);
});

test('select, move, resize, multi-select and delete', async ({ users }) => {
  const room = newRoom('edit');
  const alice = await users.open('Alice', room);
  const bob = await users.open('Bob', room);
  await draw(alice, 'Ellipse (O)', [100, 100], [200, 180]);
  await draw(alice, 'Arrow (A)', [300, 100], [420, 220]);
  await expect(shapes(bob)).toHaveCount(2);

  // Select the ellipse and drag it 100 px right.
  await alice.getByRole('button', { name: 'Select (V)' }).click();
  const box = await alice.locator('#canvas').boundingBox();
  await alice.mouse.move(box.x + 150, box.y + 140);
  await alice.mouse.down();
  await alice.mouse.move(box.x + 250, box.y + 140, { steps: 5 });
  await alice.mouse.up();
  await expect.poll(() => bob.evaluate((r) => window.flowstate.state(r).shapes().find((s) => s.type === 'ellipse').x, room))
    .toBe(200);
  // Its bottom-right handle resizes it.
  await alice.mouse.move(box.x + 300, box.y + 180);
  await alice.mouse.down();
  await alice.mouse.move(box.x + 350, box.y + 200, { steps: 5 });
  await alice.mouse.up();
  await expect.poll(() => bob.evaluate((r) => {
    const e = window.flowstate.state(r).shapes().find((s) => s.type === 'ellipse');
    return [e.x, e.y, e.w, e.h];
  }, room)).toEqual([200, 100, 150, 100]);
  // Shift-click adds the arrow to the selection; Delete removes both.
  await alice.keyboard.down('Shift');
  await alice.mouse.click(box.x + 360, box.y + 160);
  await alice.keyboard.up('Shift');
  await expect(alice.locator('#overlay .selection')).toHaveCount(2);
  await alice.keyboard.press('Delete');
  await expect(shapes(bob)).toHaveCount(0);
});

test('reconnect after the socket drops loses nothing', async ({ users }) => {
  const room = newRoom('drop');
  const alice = await users.open('Alice', room);
  const bob = await users.open('Bob', room);
  await draw(alice, 'Rectangle (R)', [80, 80], [180, 160]);
  await expect(rects(bob)).toHaveCount(1);
  await settled(alice, room);

  // Drop Alice's connection and keep new ones from getting through (see tests/fixtures.js).
  await alice.evaluate(() => {
    window.__ws.blocked = true;
    for (const s of window.__ws.sockets) s.close(3000, 'dropped by the test');
  });
  await expect(alice.locator('#status')).toHaveAttribute('data-state', 'reconnecting');

  // Offline edits stay pending; Bob edits meanwhile.
  await draw(alice, 'Ellipse (O)', [250, 80], [350, 160]);
  await draw(alice, 'Rectangle (R)', [400, 80], [500, 160]);
  await expect(alice.locator('#status')).toContainText('2 pending');
  await expect(shapes(alice)).toHaveCount(3);
  await draw(bob, 'Sticky note (S)', [0, 0], [0, 0]).catch(() => {});
  await bob.keyboard.type('from Bob');
  await bob.keyboard.press('Control+Enter');
  await expect(bob.locator('#shapes [data-type="sticky"]')).toHaveCount(1);
  await expect(bob.locator('#shapes [data-type="sticky"] text')).toHaveText('from Bob');
  await expect(shapes(bob)).toHaveCount(2);

  // Back online: the client resumes with `since`, gets Bob's op and sends its own.
  await alice.evaluate(() => {
    window.__ws.blocked = false;
    window.dispatchEvent(new Event('online'));
  });
  await expect(alice.locator('#status')).toHaveAttribute('data-state', 'connected', { timeout: 15_000 });
  await expect(alice.locator('#status')).not.toContainText('pending');
  await expect(shapes(alice)).toHaveCount(4);
  await expect(shapes(bob)).toHaveCount(4);
  const a = await settled(alice, room);
  const b = await settled(bob, room);
  expect(a).toEqual(b);
  const server = await serverState(room);
  expect(server.state.shapes).toHaveLength(4);
  expect(server.hash).toBe(a.hash);
});

test('the time-travel slider shows an old version, read-only', async ({ users }) => {
  const room = newRoom('history');
  const alice = await users.open('Alice', room);
  await draw(alice, 'Rectangle (R)', [80, 80], [180, 160]);
  await draw(alice, 'Ellipse (O)', [250, 80], [350, 160]);
  await draw(alice, 'Line (L)', [400, 80], [500, 160]);
  await expect(shapes(alice)).toHaveCount(3);
  await settled(alice, room);

  await alice.getByRole('button', { name: 'Show history' }).click();
  await expect(alice.locator('#history-list li')).toHaveCount(3);
  const slider = alice.getByRole('slider', { name: 'Time travel: version' });
  await expect(slider).toHaveAttribute('max', '3');
  await slider.fill('1');
  await expect(alice.locator('#history-banner')).toBeVisible();
  await expect(alice.locator('#history-banner')).toContainText('Viewing version 1 of 3');
  await expect(shapes(alice)).toHaveCount(1);
  await expect(rects(alice)).toHaveCount(1);

  // Read-only: drawing does nothing while viewing the past.
  await draw(alice, 'Rectangle (R)', [600, 300], [700, 400]);
  expect(await alice.evaluate((r) => window.flowstate.pending(r).length + window.flowstate.version(r), room)).toBe(3);

  await alice.locator('#history-list button', { hasText: 'v2' }).click();
  await expect(alice.locator('#history-banner')).toContainText('Viewing version 2 of 3');
  await expect(shapes(alice)).toHaveCount(2);

  await alice.getByRole('button', { name: 'Back to live' }).click();
  await expect(alice.locator('#history-banner')).toBeHidden();
  await expect(shapes(alice)).toHaveCount(3);
});

test('export downloads a valid SVG (and a PNG)', async ({ users }) => {
  const room = newRoom('export');
  const alice = await users.open('Alice', room);
  await draw(alice, 'Rectangle (R)', [80, 80], [180, 160]);
  await draw(alice, 'Ellipse (O)', [250, 80], [350, 160]);
  await settled(alice, room);

  const [download] = await Promise.all([
    alice.waitForEvent('download'),
    alice.getByRole('button', { name: 'Export SVG' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.svg$/);
  const path = await download.path();
  const text = (await import('node:fs')).readFileSync(path, 'utf8');
  const parsed = await alice.evaluate((xml) => {
    const doc = new DOMParser().parseFromString(xml, 'image/svg+xml');
    return {
      error: doc.getElementsByTagName('parsererror').length > 0,
      root: doc.documentElement.localName,
      ns: doc.documentElement.namespaceURI,
      types: [...doc.querySelectorAll('g[data-type]')].map((g) => g.getAttribute('data-type')).sort(),
    };
  }, text);
  expect(parsed).toEqual({ error: false, root: 'svg', ns: 'http://www.w3.org/2000/svg', types: ['ellipse', 'rect'] });

  const [png] = await Promise.all([
    alice.waitForEvent('download'),
    alice.getByRole('button', { name: 'Export PNG' }).click(),
  ]);
  const bytes = (await import('node:fs')).readFileSync(await png.path());
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('chat with slash commands reaches the room', async ({ users }) => {
  const room = newRoom('chat');
  const alice = await users.open('Alice', room);
  const bob = await users.open('Bob', room);
  const say = async (page, text) => {
    await page.getByRole('textbox', { name: 'Chat message' }).fill(text);
    await page.getByRole('button', { name: 'Send chat message' }).click();
  };
  await say(alice, 'hello there');
  await expect(bob.locator('#chat-log')).toContainText('Alice: hello there');
  await say(alice, '/me waves');
  await expect(bob.locator('#chat-log li.action')).toContainText('Alice waves');
  await say(bob, '/shrug ok');
  await expect(alice.locator('#chat-log')).toContainText('ok ¯\\_(ツ)_/¯');
  await say(bob, '/who');
  await expect(bob.locator('#chat-log li.system')).toContainText('Alice');
  await say(bob, '/nope');
  await expect(bob.locator('#chat-log li.system').last()).not.toBeEmpty();
});
