// The web app in a real browser (Debian's Chromium driven by playwright-core) against the local
// runtime: a customer and an admin in two browser contexts, and a connection cut by the server.
// Screenshots of the main screens land in .cache/screenshots/.
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, createOrderChatApi } from '../../client/src/index.ts';
import { BOOTSTRAP_ADMIN } from '../e2e/bootstrap-admin.ts';
import { chromiumPath, describeMissing, missingChromium } from '#local/prerequisites.ts';
import { cutConnectionsOf } from '../e2e/planted.ts';
import {
  api,
  bootstrapAdmin,
  newAdmin,
  newUser,
  runtime,
  STRONG_PASSWORD,
  uniqueEmail,
  useRuntime,
} from '../e2e/support.ts';
import { spawnRuntime } from '../support/runtime-process.ts';
import { codeFor, inbox, nthMail } from '../support/mailbox.ts';
import { authenticatorApp, currentStep, totpAt } from '../support/totp.ts';

/** A 2×2 PNG, built as the format says (signature, IHDR, IDAT, IEND, each with its CRC). */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  // Each row: its filter byte (none), then two pixels: red, green / blue, yellow.
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', '.cache', 'screenshots');
const appUrl = () => `${runtime.httpUrl}/app/`;

let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  const missing = missingChromium();
  if (missing) throw new Error(describeMissing([missing], 'The browser tests'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    // As root in a sandbox-less container, on a machine whose network is closed: no sandbox, and
    // none of Chromium's own background connections.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

// A failed or timed-out test leaves what each page showed, and says so: a step that waited for
// something never shown would otherwise fail with nothing but the test's timeout.
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await recordFailure(task.name);
  // A test's pages go with it: an admin's page left open keeps rereading its lists as other tests
  // change orders, and would spend the shared admin's per-user page reads (429s in a later test).
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

/** What each page of a failed test showed, and the alerts and errors it had. */
async function recordFailure(testName: string) {
  const pages = contexts.flatMap((context) => context.pages());
  for (const [i, page] of pages.entries()) {
    const path = resolve(SCREENSHOTS, `failed-${testName.slice(0, 20).replace(/\W+/g, '-')}-${i}.png`);
    await page.screenshot({ path, fullPage: true }).catch(() => undefined);
    const alerts = await page
      .getByRole('alert')
      .allTextContents()
      .catch(() => []);
    console.error(
      `page ${i} at ${page.url()}; alerts: ${JSON.stringify(alerts)}; page errors: ${JSON.stringify(pageErrors)}; ${path}`,
    );
  }
}

afterAll(async () => {
  await browser?.close();
});

/** A fresh browser profile (its own sessionStorage), phone-sized when asked. */
async function newPage(viewport = { width: 1200, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  // A CSP violation, an uncaught error or a failed script would show up here.
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(appUrl());
  // Set once: still there at the end means the page was never reloaded.
  await page.evaluate(() => ((globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true));
  return page;
}

const notReloaded = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce === true);
const shot = (page: Page, name: string) =>
  page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Signs up as a person does: the form, then the code from the e-mail in the local mailbox. */
async function signUp(page: Page, name: string) {
  const email = uniqueEmail('browser');
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(STRONG_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
  await page.getByLabel('Code').fill(await codeFor(runtime.mailboxUrl, email));
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await page.getByRole('heading', { name: 'Your orders' }).waitFor();
  return email;
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function placeOrder(page: Page, description: string) {
  await page.getByLabel('What do you need?').fill(description);
  await page.getByLabel('Quantity').fill('40');
  await page.getByLabel('Specifications (optional)').fill('colour: navy\nsize: 42');
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByRole('heading', { name: description }).waitFor();
  return page.url().split('#/orders/')[1]!;
}

/**
 * Pages through the admins' list until it shows `description`: the other tests place orders on the
 * same runtime meanwhile, newest first, so the customer's may be pages down. Each page is looked at
 * once it has loaded, not waited on: a wait per page added up past the test's timeout.
 */
async function showInList(page: Page, description: string, status: string) {
  const items = page.locator('ul.orders > li');
  // The filtered list, not the one shown before the filter applied.
  await expect
    .poll(async () => {
      const shown = await page.locator('ul.orders .status').allTextContents();
      return shown.length > 0 && shown.every((text) => text === status);
    })
    .toBe(true);
  for (let pages = 1; pages <= 50; pages++) {
    if ((await page.getByRole('link', { name: description }).count()) > 0) return;
    const before = await items.count();
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect.poll(() => items.count()).toBeGreaterThan(before);
  }
  throw new Error(`"${description}" is not in the first 50 pages`);
}

/** Types into the chat box and sends with Enter, as a person would. */
async function say(page: Page, text: string) {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
}

const messages = (page: Page) => page.getByRole('log', { name: 'Messages' }).locator('li');
const message = (page: Page, text: string) => messages(page).filter({ hasText: text });
const waitForMessage = (page: Page, text: string) => message(page, text).first().waitFor({ timeout: 10_000 });

describe('the web app in Chromium', () => {
  it('a customer and an admin chat live about an order, and the admin closes the room', async () => {
    const customer = await newPage();
    await shot(customer, 'sign-in');
    await signUp(customer, 'Carla Customer');
    const description = `Navy widgets ${Date.now()}`;
    const orderId = await placeOrder(customer, description);
    expect(await customer.getByTestId('order-status').textContent()).toBe('Review');
    // Specifications come back in the order they were entered (colour, then size).
    const terms = await customer.locator('.details dt').allTextContents();
    expect(terms.indexOf('colour')).toBeGreaterThanOrEqual(0);
    expect(terms.indexOf('colour')).toBeLessThan(terms.indexOf('size'));
    await say(customer, 'Can you do them in navy?');
    await waitForMessage(customer, 'Can you do them in navy?');

    const admin = await newPage();
    // A wrong password is said in words, where a screen reader announces it.
    await signIn(admin, BOOTSTRAP_ADMIN.email, 'Wr0ng!Password');
    await admin.getByRole('alert').waitFor();
    expect(await admin.getByRole('alert').textContent()).toMatch(/password/i);
    // The browser logs the refused request itself; nothing else may be logged.
    expect(pageErrors.splice(0)).toEqual([expect.stringMatching(/status of 401/)]);
    await signIn(admin, BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN.password);
    await admin.getByRole('heading', { name: 'All orders' }).waitFor();
    await admin.getByRole('combobox', { name: 'Status' }).selectOption('REVIEW');
    await showInList(admin, description, 'Review');
    await admin.getByRole('link', { name: description }).click();
    await admin.getByRole('heading', { name: description }).waitFor();
    await waitForMessage(admin, 'Can you do them in navy?');

    // Live both ways, no reload.
    await say(customer, 'And 40 more next month?');
    await waitForMessage(admin, 'And 40 more next month?');
    await say(admin, 'Yes to both.');
    await waitForMessage(customer, 'Yes to both.');
    await shot(customer, 'order-chat-customer');
    // Your own messages read "You" and sit apart from the other side's; an admin's carry the role once.
    const own = message(customer, 'And 40 more next month?').first();
    expect(await own.getAttribute('class')).toContain('mine');
    expect(await own.locator('.sender').textContent()).toBe('You');
    const theirs = message(customer, 'Yes to both.').first();
    expect(await theirs.getAttribute('class')).not.toContain('mine');
    expect(await theirs.locator('.sender').textContent()).toBe(`${BOOTSTRAP_ADMIN.name}Admin`);
    expect(await admin.locator('header .who .badge').count()).toBe(1);

    // Closing is for good: the first press asks, "Keep it open" takes it back, and nothing closed meanwhile.
    await admin.getByLabel('Summary').fill('Agreed: 40 navy widgets now, 40 next month');
    await admin.getByRole('button', { name: 'Close chat…' }).click();
    await admin.getByText('Closing ends this chat for good').waitFor();
    await admin.getByRole('button', { name: 'Keep it open' }).click();
    expect(await admin.getByText('Closing ends this chat for good').count()).toBe(0);
    expect(await customer.getByTestId('room-closed').count()).toBe(0);
    await admin.getByRole('button', { name: 'Close chat…' }).click();
    await admin.getByRole('button', { name: 'Yes, close for good' }).click();
    await customer.getByTestId('room-closed').waitFor();
    expect(await customer.getByTestId('room-closed').textContent()).toBe(
      'Chat closed: Agreed: 40 navy widgets now, 40 next month',
    );
    await customer.getByTestId('order-status').filter({ hasText: 'Processing' }).waitFor();
    expect(await customer.getByRole('textbox', { name: 'Message', exact: true }).count()).toBe(0);
    // …and the customer is told what now.
    expect(await customer.getByTestId('room-closed-next').textContent()).toMatch(/place a new order/);
    expect(await notReloaded(customer)).toBe(true);
    expect(await notReloaded(admin)).toBe(true);
    await shot(admin, 'order-closed-admin');

    // Each message once, in the order sent.
    const shown = await messages(customer).locator('p').allTextContents();
    expect(shown).toEqual(['Can you do them in navy?', 'And 40 more next month?', 'Yes to both.']);
    expect(orderId).toMatch(/^[0-9A-Z]{26}$/);

    await admin.getByRole('link', { name: '← All orders' }).click();
    await admin.getByRole('heading', { name: 'All orders' }).waitFor();
    await shot(admin, 'orders-admin');
    expect(pageErrors).toEqual([]);
  });

  it("an unanswered customer waits in the admins' inbox; the answer shows as unread, and the question as Seen", async () => {
    const customer = await newPage();
    // A name of its own: the inbox lists customers by name, other tests' among them.
    const name = `Wes Waiting ${Date.now().toString(36)}`;
    await signUp(customer, name);
    await placeOrder(customer, 'Waterproof boots');
    await say(customer, 'Are they waterproof?');
    await waitForMessage(customer, 'Are they waterproof?');
    expect(await customer.getByTestId('seen').count()).toBe(0);

    // The admin finds the customer waiting, oldest first, paging on as other tests' customers wait too.
    const admin = await newPage();
    await signIn(admin, BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN.password);
    await admin.getByRole('heading', { name: 'Waiting for an answer' }).waitFor();
    const inbox = admin.locator('section[aria-labelledby="inbox"]');
    const entry = inbox.getByRole('link', { name });
    const more = inbox.getByRole('button', { name: 'Show more waiting' });
    await entry.or(more).first().waitFor();
    for (let pages = 1; (await entry.count()) === 0; pages++) {
      expect(pages).toBeLessThan(50);
      const before = await inbox.locator('li').count();
      await more.click();
      await expect.poll(() => inbox.locator('li').count()).toBeGreaterThan(before);
    }
    expect(await inbox.locator('li').filter({ hasText: name }).textContent()).toContain('Are they waterproof?');
    await shot(admin, 'admin-inbox');
    await entry.click();
    await waitForMessage(admin, 'Are they waterproof?');

    // Opened is read: the customer sees "Seen" under the question, live.
    await message(customer, 'Are they waterproof?').getByTestId('seen').waitFor();

    // The customer steps away; the answer waits for them as an unread count on their list.
    await customer.getByRole('link', { name: /your account/ }).click();
    await customer.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
    await say(admin, 'Yes, fully waterproof.');
    // Stored, not only sent: the list is read once, when it opens.
    await admin.locator('.messages li:not(.pending)', { hasText: 'Yes, fully waterproof.' }).waitFor();
    await customer.getByRole('link', { name: '← Your orders' }).click();
    const row = customer.locator('ul.orders > li').filter({ hasText: 'Waterproof boots' });
    await row.getByLabel('1 unread message').waitFor();
    await customer.getByTestId('unread-total').getByText('1 unread message').waitFor();
    await shot(customer, 'orders-unread');
    await row.getByRole('link', { name: 'Waterproof boots' }).click();
    await waitForMessage(customer, 'Yes, fully waterproof.');
    // …read now: the admin sees "Seen" under the answer, and the count is gone from the list.
    await message(admin, 'Yes, fully waterproof.').getByTestId('seen').waitFor();
    await customer.getByRole('link', { name: '← Your orders' }).click();
    await row.getByRole('link', { name: 'Waterproof boots' }).waitFor();
    expect(await row.locator('.unread').count()).toBe(0);
    expect(await customer.getByTestId('unread-total').textContent()).toBe('');
    expect(await notReloaded(customer)).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('a customer edits an order in review; a change made meanwhile is shown, and their edit applied over it', async () => {
    const customer = await newPage();
    await signUp(customer, 'Eddie Edits');
    const orderId = await placeOrder(customer, 'Linen towels');
    const details = customer.locator('details.order-more');
    if (!(await details.evaluate((element) => (element as unknown as { open: boolean }).open))) {
      await details.locator('summary').click();
    }
    await customer.getByRole('button', { name: 'Edit order…' }).click();
    await customer.locator('#edit-quantity').fill('50');
    // Meanwhile an admin changes it.
    const admin = await bootstrapAdmin();
    const changed = await api('PATCH', `/orders/${orderId}`, { token: admin.accessToken, body: { quantity: 45 } });
    expect(changed.status).toBe(200);
    await customer.getByRole('button', { name: 'Save changes' }).click();
    const conflict = customer.getByTestId('edit-conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('quantity 45');
    expect(await customer.locator('#edit-quantity').inputValue()).toBe('50');
    await customer.getByRole('button', { name: 'Save my changes anyway' }).click();
    await customer.locator('.details dd', { hasText: /^50$/ }).waitFor();
    const stored = await api('GET', `/orders/${orderId}`, { token: admin.accessToken });
    expect(stored.body).toMatchObject({ quantity: 50, version: 3 });
    // The browser logs the refused save (412) itself: that one is expected, nothing else is.
    expect(pageErrors.filter((error) => !error.includes('412'))).toEqual([]);
    pageErrors.splice(0);
  });

  it('an admin jumps to an order by its id, and is told what an id looks like', async () => {
    const customer = await newUser('gotocustomer');
    const placed = await api('POST', '/orders', {
      token: customer.accessToken,
      body: { description: 'Quoted on the phone', specifications: {}, quantity: 3 },
    });
    const admin = await newPage();
    await signIn(admin, BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN.password);
    const field = admin.getByLabel('Order id');
    await field.fill('not-an-id');
    await admin.getByRole('button', { name: 'Open', exact: true }).click();
    await admin.getByRole('alert').getByText('An order id is 26 letters and digits').waitFor();
    // As a customer reads it out: lower case, with spaces around.
    await field.fill(` ${String(placed.body.id).toLowerCase()} `);
    await admin.getByRole('button', { name: 'Open', exact: true }).click();
    await admin.getByRole('heading', { name: 'Quoted on the phone' }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('a customer cancels an order in review with a reason: it is cancelled for good and its chat closes', async () => {
    const customer = await newPage();
    await signUp(customer, 'Cora Cancels');
    await placeOrder(customer, 'Ordered by mistake');
    const details = customer.locator('details.order-more');
    if (!(await details.evaluate((element) => (element as unknown as { open: boolean }).open))) {
      await details.locator('summary').click();
    }
    await customer.getByRole('button', { name: 'Cancel order…' }).click();
    await customer.getByLabel('Why cancel?').fill('Ordered the wrong size');
    await customer.getByRole('button', { name: 'Cancel the order' }).click();
    await customer.getByTestId('order-status').getByText('Cancelled').waitFor();
    expect(await customer.getByTestId('cancellation').textContent()).toContain(
      'by the customer: Ordered the wrong size',
    );
    await customer.getByTestId('room-closed').waitFor();
    expect(await customer.getByRole('button', { name: 'Cancel order…' }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('the order workflow: a customer places, edits and cancels; an admin finds, assigns, notes, moves on and exports; another admin’s list follows live', async () => {
    // A second admin keeps the list open all along.
    const watcher = await newAdmin('browserwatcher');
    const second = await newPage();
    await signIn(second, watcher.email, watcher.password);
    await second.getByRole('heading', { name: 'All orders' }).waitFor();

    const customer = await newPage();
    const email = await signUp(customer, 'Wanda Workflow');
    await placeOrder(customer, 'Stools, first try');
    const details = customer.locator('details.order-more');
    const openDetails = async (page: Page) => {
      const more = page.locator('details.order-more');
      if (!(await more.evaluate((element) => (element as unknown as { open: boolean }).open))) {
        await more.locator('summary').click();
      }
    };
    await openDetails(customer);
    await customer.getByRole('button', { name: 'Edit order…' }).click();
    await customer.locator('#edit-quantity').fill('12');
    await customer.getByRole('button', { name: 'Save changes' }).click();
    await details.locator('dd', { hasText: /^12$/ }).waitFor();
    await customer.getByRole('button', { name: 'Cancel order…' }).click();
    await customer.getByLabel('Why cancel?').fill('Found them cheaper');
    await customer.getByRole('button', { name: 'Cancel the order' }).click();
    await customer.getByTestId('order-status').getByText('Cancelled').waitFor();
    await customer.getByRole('link', { name: '← Your orders' }).click();
    const orderId = await placeOrder(customer, 'Oak stools, 12');

    // The watching admin's list shows the new order without a reload, at the top.
    const secondRow = second.getByTestId('orders').locator('> li', { hasText: 'Oak stools, 12' });
    await secondRow.waitFor({ timeout: 10_000 });
    expect(await secondRow.getByTestId('row-customer').textContent()).toBe('Wanda Workflow');
    expect(await secondRow.getByTestId('row-assignee').textContent()).toBe('unassigned');

    // Another admin finds it through the customer's e-mail.
    const admin = await newPage();
    await signIn(admin, BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN.password);
    await admin.getByLabel('Customer').fill(email.toUpperCase());
    await admin.getByRole('button', { name: 'Find', exact: true }).click();
    await expect.poll(() => admin.getByTestId('orders').locator('> li').count()).toBe(2);
    expect(await admin.getByTestId('orders').textContent()).toContain('Stools, first try');
    await admin.getByRole('link', { name: 'Oak stools, 12' }).click();
    await admin.getByRole('heading', { name: 'Oak stools, 12' }).waitFor();
    await admin.getByRole('button', { name: 'Take it' }).click();
    await admin.getByTestId('assignee').getByText('Handled by you').waitFor();
    await openDetails(admin);
    await admin.getByLabel('Internal note (admins only)').fill('Customer asked for oil finish on the phone');
    await admin.getByRole('button', { name: 'Add note' }).click();
    await admin.getByTestId('note').getByText('Customer asked for oil finish on the phone').waitFor();
    await admin.getByRole('button', { name: 'Move to Processing' }).click();
    await admin.getByTestId('order-status').getByText('Processing').waitFor();
    await shot(admin, 'workflow-order-admin');
    expect(await admin.getByTestId('timeline').textContent()).toContain('Assigned to');

    // The second admin saw each step arrive.
    const bootstrap = await bootstrapAdmin();
    await expect
      .poll(async () => secondRow.getByTestId('row-assignee').textContent())
      .toBe(`handled by ${bootstrap.user.name}`);
    await secondRow.locator('.status', { hasText: 'Processing' }).waitFor();
    expect(await notReloaded(second)).toBe(true);

    // Exported: the filtered list, both of the customer's orders, as the list shows them.
    await admin.getByRole('link', { name: '← All orders' }).click();
    await admin.getByLabel('Customer').fill(email);
    await admin.getByRole('button', { name: 'Find', exact: true }).click();
    await expect.poll(() => admin.getByTestId('orders').locator('> li').count()).toBe(2);
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`"${orderId}"`);
    expect(lines[1]).toContain(
      `"PROCESSING","Wanda Workflow","${email}","40","Oak stools, 12","${bootstrap.user.name}","open"`,
    );
    expect(lines[2]).toContain('"CANCELLED"');

    // The customer sees who handles it, and never the note.
    await customer.reload();
    await openDetails(customer);
    await customer.getByTestId('assignee').getByText(bootstrap.user.name).waitFor();
    expect(await customer.getByTestId('timeline').textContent()).not.toContain('oil finish');
    await shot(second, 'workflow-second-admin-list');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('files: a customer sends a photo and a PDF; the admin sees the photo inline and downloads the PDF; wrong files are refused in words; another customer gets neither', async () => {
    const customer = await newPage();
    await signUp(customer, 'Fiona Files');
    const orderId = await placeOrder(customer, `Printed mugs ${Date.now()}`);
    const attach = customer.getByTestId('attach');
    // Refused before anything is sent: too large, and a type the chat doesn't take.
    await attach.setInputFiles({
      name: 'huge.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.alloc(11 * 1024 * 1024),
    });
    expect(await customer.getByTestId('attach-refused').textContent()).toBe(
      'huge.pdf is 11.0 MB: a file may be at most 10 MB.',
    );
    await attach.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    expect(await customer.getByTestId('attach-refused').textContent()).toContain('only photos');
    // Uploaded, then refused by the server's check: its content is not what its name says.
    await attach.setInputFiles({ name: 'mislabeled.png', mimeType: 'image/png', buffer: Buffer.from('<html></html>') });
    await customer.getByTestId('upload-error').waitFor();
    expect(await customer.getByTestId('upload-error').textContent()).toBe(
      "The file's content is not image/png: it was refused.",
    );
    await customer.getByRole('button', { name: 'Remove mislabeled.png' }).click();
    expect(await customer.getByTestId('upload').count()).toBe(0);
    // Dropped on the message box, a file is chosen as if picked (here one the chat doesn't take).
    const dropped = await customer.evaluateHandle(() => {
      // The page's own classes (this file is typed without the DOM's).
      const page = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: string[], name: string, options: { type: string }) => unknown;
      };
      const transfer = new page.DataTransfer();
      transfer.items.add(new page.File(['x'], 'dropped.gif', { type: 'image/gif' }));
      return transfer;
    });
    await customer.locator('form.composer').dispatchEvent('drop', { dataTransfer: dropped });
    expect(await customer.getByTestId('attach-refused').textContent()).toContain('dropped.gif: only photos');

    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    await attach.setInputFiles([
      { name: 'mug.png', mimeType: 'image/png', buffer: tinyPng() },
      { name: 'artwork.pdf', mimeType: 'application/pdf', buffer: pdf },
    ]);
    await expect.poll(() => customer.getByTestId('upload-state').allTextContents()).toEqual(['ready', 'ready']);
    // The photo's preview is the file itself, shown before it is sent.
    expect(await customer.locator('.uploads img').getAttribute('src')).toMatch(/^blob:/);
    await say(customer, 'The mug and its artwork');
    await waitForMessage(customer, 'The mug and its artwork');
    expect(await customer.getByTestId('upload').count()).toBe(0);

    const admin = await newPage();
    await signIn(admin, BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN.password);
    await admin.getByRole('heading', { name: 'All orders' }).waitFor();
    await admin.getByLabel('Order id').fill(orderId);
    await admin.getByRole('button', { name: 'Open', exact: true }).click();
    await waitForMessage(admin, 'The mug and its artwork');
    // Inline: the image loaded from the bucket under the app's CSP.
    const photo = admin.getByTestId('photo');
    await photo.waitFor();
    await expect
      .poll(() => photo.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(2);
    const photoUrl = (await photo.getAttribute('src'))!;
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('download').click()]);
    expect(download.suggestedFilename()).toBe('artwork.pdf');
    expect(readFileSync((await download.path())!)).toEqual(pdf);
    await shot(admin, 'order-files-admin');

    // Another customer: no link for either file, and the bucket gives nothing without one.
    const other = await newUser('filesother');
    expect((await api('GET', `/chat/rooms/${orderId}`, { token: other.accessToken })).status).toBe(404);
    const stored = (
      await api('GET', `/chat/rooms/${orderId}`, { token: (await bootstrapAdmin()).accessToken })
    ).body.messages.at(-1).attachments as { id: string }[];
    for (const file of stored) {
      const opened = await api('GET', `/chat/rooms/${orderId}/attachments/${file.id}`, { token: other.accessToken });
      expect(opened.status).toBe(404);
    }
    const unsigned = new URL(photoUrl);
    expect((await fetch(`${unsigned.origin}${unsigned.pathname}`)).status).toBe(403);
    expect(pageErrors).toEqual([]);
  });

  it('loads the app and the API docs without a request that fails (no /favicon.ico 404)', async () => {
    const page = await newPage();
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(appUrl());
    await page.getByRole('heading', { name: 'Sign in to Order Chat' }).waitFor();
    await page.goto(`${runtime.httpUrl}/docs`);
    await page.getByText('Order Chat').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(failed).toEqual([]);
    expect(pageErrors.splice(0)).toEqual([]);
  });

  it('confirms an address with the e-mailed code, and resets a forgotten password with another', async () => {
    const page = await newPage();
    const email = uniqueEmail('browser-reset');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Rita Reset');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain(email);
    // Away and back: signing in with the right password leads to the code step, not an error.
    await page.getByRole('button', { name: 'Back to sign in' }).click();
    await signIn(page, email, STRONG_PASSWORD);
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/isn't confirmed yet/);
    // A wrong code says so beside the field; a new one replaces it.
    const first = await codeFor(runtime.mailboxUrl, email, 1);
    await page.getByLabel('Code').fill(first === '000000' ? '000001' : '000000');
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.getByText('The code is wrong').waitFor();
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await page.getByText('A new code is on its way').waitFor();
    await page.getByLabel('Code').fill(await codeFor(runtime.mailboxUrl, email, 2));
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.getByRole('heading', { name: 'Your orders' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    await page.getByLabel('Code').fill(await codeFor(runtime.mailboxUrl, email, 3));
    await page.getByLabel('New password').fill('weak');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByText('Must contain a digit').waitFor();
    await page.getByLabel('New password').fill('N3w!Passw0rd-x');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Your orders' }).waitFor();
    await shot(page, 'password-reset');
    expect(await notReloaded(page)).toBe(true);
    // What the browser logged: the answers refused on the way (the unconfirmed sign-in, the wrong code, the weak password).
    expect(pageErrors.splice(0)).toEqual([
      expect.stringMatching(/status of 403/),
      expect.stringMatching(/status of 400/),
      expect.stringMatching(/status of 400/),
    ]);
  });

  it('an account page: a new name, a new password (other devices signed out), and deleting the account after asking', async () => {
    const page = await newPage();
    const email = await signUp(page, 'Ada Account');
    const otherDevice = await newPage();
    await signIn(otherDevice, email, STRONG_PASSWORD);
    await otherDevice.getByRole('heading', { name: 'Your orders' }).waitFor();

    await page.getByRole('link', { name: /your account/ }).click();
    await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Ada Renamed');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Saved: others see this name').waitFor();
    await page.locator('header .who').getByText('Ada Renamed').waitFor();

    await page.getByLabel('Current password').fill('Wr0ng!Passw0rd');
    await page.getByLabel('New password').fill('N3w!Passw0rd-x');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Incorrect password').waitFor();
    await page.getByLabel('Current password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Every other device is signed out').waitFor();
    // The other device finds itself signed out; this one carries on, live.
    await otherDevice.getByRole('heading', { name: 'Sign in to Order Chat' }).waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: '← Your orders' }).click();
    await page.getByRole('heading', { name: 'Your orders' }).waitFor();
    await page.getByText('Live').waitFor();

    await page.getByRole('link', { name: /your account/ }).click();
    await page.getByLabel('Your password').fill('N3w!Passw0rd-x');
    await page.getByRole('button', { name: 'Delete account…' }).click();
    await page.getByText("This can't be undone").waitFor();
    await shot(page, 'account-delete');
    await page.getByRole('button', { name: 'Yes, delete my account' }).click();
    await page.getByRole('heading', { name: 'Sign in to Order Chat' }).waitFor();
    await signIn(page, email, 'N3w!Passw0rd-x');
    await page.getByText('Incorrect email or password').waitFor();
    // The refusals on the way: the wrong current password, the other device's ended session, the deleted account's sign-in.
    expect(pageErrors.splice(0).every((line) => /status of (400|401)/.test(line))).toBe(true);
  });

  it('a whole account: sign-up, a new address, two-factor on, a reset password, both factors, the data, two-factor off, deletion', async () => {
    const page = await newPage();
    const email = await signUp(page, 'Jo Journey');
    await placeOrder(page, 'Twelve journey mugs');
    await say(page, 'Glazed, please');
    await waitForMessage(page, 'Glazed, please');

    // A new address: the code goes to it, and the old one is told once it is confirmed.
    const moved = uniqueEmail('browser-moved');
    await page.getByRole('link', { name: /your account/ }).click();
    await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
    const emailSection = page.getByRole('region', { name: 'E-mail address' });
    await emailSection.getByLabel('New e-mail address').fill(moved);
    await emailSection.getByLabel('Password').fill(STRONG_PASSWORD);
    await emailSection.getByRole('button', { name: 'Change e-mail address' }).click();
    await emailSection.getByLabel(`Code sent to ${moved}`).fill(await codeFor(runtime.mailboxUrl, moved));
    await emailSection.getByRole('button', { name: 'Confirm new address' }).click();
    await emailSection.getByText(`you sign in with ${moved} from now on`).waitFor();
    expect((await nthMail(runtime.mailboxUrl, email, 2)).text).toContain(moved);

    // Two-factor on: the QR code, and the key an app would read from it.
    const twoFactor = page.getByRole('region', { name: 'Two-factor sign-in' });
    await twoFactor.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await twoFactor.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const app = authenticatorApp((await twoFactor.locator('code.secret').textContent())!.trim());
    await twoFactor.getByLabel('Code from your authenticator app').fill(await app.code());
    await twoFactor.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await twoFactor.getByText('Two-factor sign-in is on').waitFor();
    await shot(page, 'account-two-factor');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The password forgotten: reset from the mailbox, then the app's code signs in.
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(moved);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    await page.getByLabel('Code').fill(await codeFor(runtime.mailboxUrl, moved, 2));
    await page.getByLabel('New password').fill('N3w!Passw0rd-j');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Enter your two-factor code' }).waitFor();
    // A wrong code says so, and the next one from the app still signs in.
    await page.getByLabel('Code').fill(totpAt(app.secret, currentStep() - 10));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('The code is wrong').waitFor();
    await page.getByLabel('Code').fill(await app.code());
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // Signed in where the app was left: the account page.
    await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor();

    // The data, as one file.
    const saving = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download my data' }).click();
    const download = await saving;
    expect(download.suggestedFilename()).toMatch(/^order-chat-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(data.profile).toMatchObject({ email: moved, name: 'Jo Journey', twoFactorEnabled: true });
    expect(data.orders).toHaveLength(1);
    expect(data.orders[0].description).toBe('Twelve journey mugs');
    expect(data.orders[0].messages.map((m: { content: string }) => m.content)).toEqual(['Glazed, please']);
    await page.getByText('your profile, 1 orders').waitFor();

    // Two-factor off again: the password and a current code.
    await twoFactor.getByLabel('Your password').fill('N3w!Passw0rd-j');
    await twoFactor.getByLabel('Code from your authenticator app').fill(await app.code());
    await twoFactor.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
    await twoFactor.getByText('Two-factor sign-in is off').waitFor();
    await twoFactor.getByRole('button', { name: 'Set up two-factor sign-in' }).waitFor();

    // Deleted, after asking: the account can't sign in again.
    const deletion = page.getByRole('region', { name: 'Delete your account' });
    await deletion.getByLabel('Your password').fill('N3w!Passw0rd-j');
    await deletion.getByRole('button', { name: 'Delete account…' }).click();
    await deletion.getByRole('button', { name: 'Yes, delete my account' }).click();
    await page.getByRole('heading', { name: 'Sign in to Order Chat' }).waitFor();
    await signIn(page, moved, 'N3w!Passw0rd-j');
    await page.getByText('Incorrect email or password').waitFor();
    expect(await notReloaded(page)).toBe(true);
    // The refusals on the way: the wrong two-factor code, the deleted account's sign-in.
    expect(pageErrors.splice(0).every((line) => /status of (400|401)/.test(line))).toBe(true);
  });

  it('shows every password rule before it fails, and each one that failed', async () => {
    const page = await newPage();
    await page.getByRole('button', { name: 'Create an account' }).click();
    expect(await page.locator('#field-password-hint').textContent()).toMatch(/8 or more characters/);
    await page.getByLabel('Name').fill('Pat Password');
    await page.getByLabel('Email').fill(uniqueEmail('browser'));
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const failed = page.locator('#field-password-error li');
    await failed.first().waitFor();
    // Too short, no upper case, no digit, no symbol: four rules, four lines.
    expect(await failed.count()).toBeGreaterThanOrEqual(3);
    expect(pageErrors.splice(0)).toEqual([expect.stringMatching(/status of 400/)]);
  });

  it('wraps what users type, however long its words, instead of widening the page', async () => {
    const customer = await newPage({ width: 390, height: 844 });
    await signUp(customer, 'Wanda Wide');
    // A description holds 1,000 characters: one word nearly that long.
    const word = 'W'.repeat(990);
    await customer.getByLabel('What do you need?').fill(`A ${word}`);
    await customer.getByLabel('Quantity').fill('1');
    await customer.getByLabel('Specifications (optional)').fill(`${'k'.repeat(7_000)}: ${'v'.repeat(3_000)}`);
    await customer.getByRole('button', { name: 'Place order' }).click();
    await customer.getByRole('heading', { name: `A ${word}` }).waitFor();
    await say(customer, 'M'.repeat(1_000));
    await waitForMessage(customer, 'MMMMMMMMMM');
    // On a phone the details start folded: unfold them, so that the long specification is measured too.
    await customer.getByText('Details and history').click();
    await customer.getByText('k'.repeat(100), { exact: false }).waitFor();
    const widths = await customer.evaluate(() => {
      const page = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } };
        innerWidth: number;
      };
      return { page: page.document.documentElement.scrollWidth, viewport: page.innerWidth };
    });
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    await shot(customer, 'long-words');

    // Back on the list, on a phone: a returning customer's orders come first, the order form after them.
    await customer.getByRole('link', { name: '← Your orders' }).click();
    await customer.getByRole('link', { name: `A ${word}` }).waitFor();
    const top = async (name: string) => (await customer.getByRole('heading', { name }).boundingBox())!.y;
    expect(await top('Placed orders')).toBeLessThan(await top('Place an order'));
    expect(await top('Placed orders')).toBeLessThan(844);
  });

  it('on a phone, opens an order with Send in the first screen and its details a tap away', async () => {
    const height = 667;
    const customer = await newPage({ width: 375, height });
    await signUp(customer, 'Pat Phone');
    await placeOrder(customer, 'Forty navy hoodies with a logo on the back');
    for (let i = 1; i <= 6; i++) await say(customer, `Question ${i}, long enough to take two lines on a phone`);
    await waitForMessage(customer, 'Question 6');
    await customer.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    const send = (await customer.getByRole('button', { name: 'Send' }).boundingBox())!;
    expect(send.y + send.height).toBeLessThanOrEqual(height);
    // Reading order is unchanged: the order's title and status, then the chat.
    const title = (await customer.getByRole('heading', { name: 'Forty navy hoodies' }).boundingBox())!;
    const chat = (await customer.getByRole('heading', { name: 'Chat' }).boundingBox())!;
    expect(title.y).toBeLessThan(chat.y);
    await expect.poll(() => customer.getByText('colour').isVisible()).toBe(false);
    await customer.getByText('Details and history').click();
    await customer.getByText('colour').waitFor();
    expect(await customer.getByRole('heading', { name: 'History' }).isVisible()).toBe(true);
    await shot(customer, 'order-on-a-phone');
  });

  it('recovers from a connection the server cut, showing what was sent meanwhile once each', async () => {
    const customer = await newPage({ width: 390, height: 844 });
    await signUp(customer, 'Phone Customer');
    await shot(customer, 'orders-customer-phone');
    const orderId = await placeOrder(customer, `Phone order ${Date.now()}`);
    await customer.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const customerApi = createOrderChatApi({ baseUrl: runtime.httpUrl });
    const accessToken = await customer.evaluate(
      () => (JSON.parse(sessionStorage.getItem('order-chat.tokens')!) as { accessToken: string }).accessToken,
    );
    const me = await fetch(`${runtime.httpUrl}/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    const { id: customerId } = (await me.json()) as { id: string };
    expect(customerApi.signedIn).toBe(false);

    // The admin talks from Node, through the client library.
    const adminApi = createOrderChatApi({ baseUrl: runtime.httpUrl });
    await adminApi.signIn({ email: BOOTSTRAP_ADMIN.email, password: BOOTSTRAP_ADMIN.password });
    const adminChat = new ChatClient({ url: runtime.wsUrl, ticket: () => adminApi.chatTicket() });
    try {
      await adminChat.join(orderId);
      await adminChat.send(orderId, 'Before the cut');
      await waitForMessage(customer, 'Before the cut');

      expect(await cutConnectionsOf(customerId)).toBe(1);
      for (const text of ['Meanwhile 1', 'Meanwhile 2', 'Meanwhile 3']) await adminChat.send(orderId, text);
      await say(customer, 'Did I miss anything?');
      for (const text of ['Meanwhile 1', 'Meanwhile 2', 'Meanwhile 3', 'Did I miss anything?']) {
        await waitForMessage(customer, text);
      }
      await customer.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      const shown = await messages(customer).locator('p').allTextContents();
      expect(shown.slice(0, 4)).toEqual(['Before the cut', 'Meanwhile 1', 'Meanwhile 2', 'Meanwhile 3']);
      expect(shown.filter((text) => text === 'Did I miss anything?')).toHaveLength(1);
      expect(shown).toHaveLength(5);
      expect(await notReloaded(customer)).toBe(true);
      await shot(customer, 'order-chat-phone-after-reconnect');
    } finally {
      adminChat.close();
    }
    expect(pageErrors).toEqual([]);
  });

  it('a customer who left gets the answer by e-mail, opens the order from its link, and unsubscribes from it; presence and typing show', async () => {
    // A runtime of its own: the stage's 5-minute delay shortened to 1 s through its configuration.
    const own = spawnRuntime({
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      REQUEST_LOG: 'off',
      NOTIFY_DELAY_SECONDS: '1',
      NOTIFY_GAP_SECONDS: '3',
      NOTIFY_POLL_SECONDS: '0.5',
      ADMIN_EMAIL: BOOTSTRAP_ADMIN.email,
      ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password,
      ADMIN_NAME: BOOTSTRAP_ADMIN.name,
    });
    const restore = useRuntime(await own.ready);
    const ownContexts = contexts.length;
    try {
      const customer = await newPage();
      const email = await signUp(customer, 'Nora Notified');
      await placeOrder(customer, 'Linen shirts');
      await say(customer, 'Do you have them in blue?');
      await waitForMessage(customer, 'Do you have them in blue?');
      expect(await customer.getByTestId('presence').textContent()).toBe('Nobody else is here right now.');

      const admin = await newPage();
      await signIn(admin, BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN.password);
      await admin.locator('section[aria-labelledby="inbox"]').getByRole('link', { name: 'Nora Notified' }).click();
      await waitForMessage(admin, 'Do you have them in blue?');
      // Who is here, and who is typing.
      await customer.getByTestId('presence').getByText(`Here now: ${BOOTSTRAP_ADMIN.name} (admin)`).waitFor();
      await admin.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('Yes');
      await customer.getByTestId('typing').getByText(`${BOOTSTRAP_ADMIN.name} is typing…`).waitFor();
      await shot(customer, 'typing');

      // The customer leaves the room; the admin answers.
      await customer.getByRole('link', { name: /your account/ }).click();
      await customer.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
      await admin.getByTestId('presence').getByText('Nobody else is here right now.').waitFor();
      await say(admin, 'Yes, in navy blue too.');
      await admin.locator('.messages li:not(.pending)', { hasText: 'Yes, in navy blue too.' }).waitFor();

      // The e-mail (the first was the sign-up code) links to the order: it opens, read, and the admin sees "Seen".
      const mail = await nthMail(runtime.mailboxUrl, email, 2, 15_000);
      expect(mail.text).toContain('Yes, in navy blue too.');
      // Opened from the mail client: a new tab, so signing in first (a tab keeps its own session), then the order.
      const reader = await newPage();
      await reader.goto(/Open the order: (\S+)/.exec(mail.text)![1]!);
      await signIn(reader, email, STRONG_PASSWORD);
      await waitForMessage(reader, 'Yes, in navy blue too.');
      await message(admin, 'Yes, in navy blue too.').getByTestId('seen').waitFor();

      // The e-mail's own link unsubscribes, signed in or not; the account page says so, and the next answer sends none.
      const unsubscribe = await newPage();
      await unsubscribe.goto(/Stop these e-mails: (\S+)/.exec(mail.text)![1]!);
      await unsubscribe.getByText('Done: you won’t get these e-mails any more.').waitFor();
      await shot(unsubscribe, 'unsubscribed');
      await reader.getByRole('link', { name: /your account/ }).click();
      const box = reader.getByRole('checkbox', { name: /Messages I haven’t read/ });
      await box.waitFor();
      expect(await box.isChecked()).toBe(false);
      await say(admin, 'Anything else?');
      await admin.locator('.messages li:not(.pending)', { hasText: 'Anything else?' }).waitFor();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect((await inbox(runtime.mailboxUrl, email)).length).toBe(2);
      expect(pageErrors).toEqual([]);
    } finally {
      // Its pages go before it (they would reconnect to a runtime that has gone).
      await Promise.all(contexts.splice(ownContexts).map((context) => context.close()));
      restore();
      await own.stop();
    }
  }, 120_000);
});
