import type { Locator, Page } from 'playwright-core';
import { visible } from './chromium.js';

/*
 * Driving the officials' web chat (/chat/) in a browser page, as a person does: sign in, enrol the browser,
 * find officials in the people search and start a chat with them, send, and find a message on screen.
 */

/** MLS work in a page on a loaded 2-core machine: generous. */
export const CHAT_MS = 45_000;
export const shown = (locator: Locator): Promise<void> =>
  locator.waitFor({ state: 'visible', timeout: CHAT_MS });

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/chat/');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await visible(page.getByText('Signed in as'));
}

/** Signs in, enrols this browser and waits for the conversation screens (the device's KeyPackages are up). */
export async function enrolAndOpenChat(page: Page, username: string, password: string): Promise<void> {
  await signIn(page, username, password);
  await page.getByRole('button', { name: 'Enrol this browser' }).click();
  await shown(page.getByRole('heading', { name: 'Conversations' }));
}

/** The people search's answer for `query`, once it is on screen (a person's button, or "Nobody found"). */
export async function findPeople(page: Page, query: string): Promise<Locator> {
  await page.getByRole('searchbox', { name: 'Find an official' }).fill(query);
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  const found = page.getByRole('list', { name: 'Officials found' });
  await shown(found.getByRole('listitem').first());
  return found;
}

/** Finds each official by `query` and chooses the one shown as `displayName`, then starts the chat. */
export async function startChatWith(
  page: Page,
  people: readonly { query: string; displayName: string }[],
): Promise<void> {
  for (const p of people) {
    const found = await findPeople(page, p.query);
    await found.getByRole('button', { name: `Choose ${p.displayName}`, exact: true }).click();
    await visible(
      page
        .getByRole('list', { name: 'Chosen for a new chat' })
        .getByRole('button', { name: `Remove ${p.displayName}` }),
    );
  }
  await page.getByRole('button', { name: 'Start chat', exact: true }).click();
  const title = `Chat with ${people.map((p) => p.displayName).join(', ')}`;
  await shown(page.getByRole('heading', { name: title, exact: true }));
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

export const message = (page: Page, text: string): Locator =>
  page.getByRole('log', { name: 'Messages' }).getByRole('listitem').filter({ hasText: text });
