/**
 * The device check's camera select, driven the way a user would, robust to the camera list
 * arriving while the menu is open.
 */
import type { Page } from 'playwright-core';

/**
 * Picks "No camera" and leaves the menu closed. The list of cameras is filled in once the
 * preview camera opens; when that lands while the menu is open, the option moves under the
 * pointer and the menu can stay open over the Join button. Waiting for the check to settle
 * first, and closing a menu left open, keeps the next click on the page.
 */
export async function chooseNoCamera(page: Page): Promise<void> {
  const join = page.getByTestId('join-live');
  const select = page.getByRole('combobox', { name: 'Camera' });
  const listbox = page.getByRole('listbox');
  await join.and(page.locator(':enabled')).waitFor();
  for (let attempt = 1; ; attempt++) {
    if (!(await listbox.isVisible())) await select.click();
    await page.getByRole('option', { name: 'No camera' }).click();
    const closed = await listbox
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (!closed) await page.keyboard.press('Escape');
    if ((await select.textContent())?.includes('No camera')) break;
    if (attempt === 3) throw new Error(`the camera select shows "${await select.textContent()}"`);
  }
  await listbox.waitFor({ state: 'hidden' });
}
