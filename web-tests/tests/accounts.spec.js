// Accounts: sign up, workspace and canvas lists, create/rename a canvas, draw on it with a token,
// history and export through the bearer token; a guest cannot open the canvas.
import { test, expect, baseUrl, draw, settled } from './fixtures.js';
import { randomUUID } from 'node:crypto';

test.skip(Boolean(process.env.FLOWSTATE_SKIP_BROWSER), process.env.FLOWSTATE_SKIP_BROWSER);

test('sign up, create a workspace and a canvas, draw, rename, export, share', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const guestContext = await browser.newContext();
  try {
    await page.goto(baseUrl() + '/');
    await expect(page.getByRole('heading', { name: 'Sign in to FlowState' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Continue as guest' })).toBeVisible();
    await page.getByLabel('Email').fill(`carol-${randomUUID().slice(0, 8)}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByLabel('Display name for sign-up').fill('Carol');
    await page.getByRole('button', { name: 'Create an account' }).click();

    await expect(page.locator('#me-name')).toHaveText('Carol');
    await page.getByLabel('New workspace name').fill('Team');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expect(page.getByRole('button', { name: 'Open workspace Team' })).toBeVisible();
    await page.getByLabel('New canvas name').fill('Plan');
    await page.getByRole('button', { name: 'Create canvas' }).click();

    await expect(page.locator('#canvas-name')).toHaveText('Plan');
    await expect(page.locator('#status')).toHaveAttribute('data-state', 'connected');
    await expect(page.locator('#role')).toHaveText('owner');
    const room = decodeURIComponent(new URL(page.url()).hash.slice(1));
    await draw(page, 'Rectangle (R)', [100, 100], [220, 200]);
    await expect(page.locator('#shapes [data-type="rect"]')).toHaveCount(1);
    expect((await settled(page, room)).version).toBe(1);

    // History and export of a canvas need the bearer token, which the app sends.
    await page.getByRole('button', { name: 'Show history' }).click();
    await expect(page.locator('#history-list li')).toHaveCount(1);
    await expect(page.locator('#history-list')).toContainText('Carol');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export SVG' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Plan-v1.svg');
    const svgText = (await import('node:fs')).readFileSync(await download.path(), 'utf8');
    expect(svgText).toContain('data-type="rect"');

    page.once('dialog', (d) => d.accept('Plan B'));
    await page.getByRole('button', { name: 'Rename canvas' }).click();
    await expect(page.locator('#canvas-name')).toHaveText('Plan B');

    // The share link is the canvas URL; a guest gets told to sign in.
    const guest = await guestContext.newPage();
    await guest.goto(`${baseUrl()}/#${encodeURIComponent(room)}`);
    await expect(guest.locator('#board-message')).toContainText('sign in');

    await page.getByRole('link', { name: 'FlowState home' }).click();
    await expect(page.getByRole('link', { name: 'Open canvas Plan B' })).toBeVisible();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in to FlowState' })).toBeVisible();
  } catch (e) {
    await page.screenshot({ path: testInfo.outputPath('failure-carol.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close();
    await guestContext.close();
  }
});
