// The web pages in headless Chromium against a running `eigw serve` with test data, made by
// tests/ui/ui_browser_check.py, which passes what it made in the environment:
//   EIGW_UI_BASE       http://127.0.0.1:PORT
//   EIGW_UI_PASSWORD   the password of every user (admin1, fin, cust)
//   EIGW_UI_DATA       JSON: {"a", "b", "c", "live": invoice ids, "blocker": a file whose removal lets
//                      invoice `live` be delivered, "recipient": an identifier the directory lists,
//                      "unknown": one it does not, "xss": the seller name of invoice a}
// Each test saves a screenshot under EIGW_UI_SCREENSHOTS. Run by ctest as UiTest.Browser.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  expectNoExternalRequests, expectText, run, screenshot, test, waitUntil,
} from './browser.mjs';

const BASE = process.env.EIGW_UI_BASE;
const PASSWORD = process.env.EIGW_UI_PASSWORD;
const DATA = JSON.parse(process.env.EIGW_UI_DATA || '{}');
if (!BASE || !PASSWORD || !DATA.a) {
  console.log('FAIL set EIGW_UI_BASE, EIGW_UI_PASSWORD and EIGW_UI_DATA (tests/ui/ui_browser_check.py does)');
  process.exit(1);
}
const $ = (id) => `[data-testid="${id}"]`;

// Signs in through the form, as a person would, and waits for the invoice list.
async function signIn(page, username) {
  await page.goto(`${BASE}/ui/`);
  await page.locator($('login-username')).fill(username);
  await page.locator($('login-password')).fill(PASSWORD);
  await page.locator($('login-submit')).click();
  await expectText(page, $('user-name'), username);
}

// Fails the test when the page ran into an error or called anything but this gateway.
function clean({ blocked, pageErrors }) {
  expectNoExternalRequests(blocked);
  assert.deepEqual(pageErrors.map(String), [], 'uncaught errors in the page');
}

test('sign in with the keyboard only; finance sees its pages', async (t) => {
  const { page } = t;
  await page.goto(`${BASE}/ui/`);
  await page.locator($('login-username')).focus();
  await page.keyboard.type('fin');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expectText(page, $('user-role'), 'finance');
  for (const nav of ['nav-recipients', 'nav-invoices', 'nav-directory', 'nav-kpis'])
    assert.equal(await page.locator($(nav)).count(), 1, `finance should see ${nav}`);
  // The session cookie is not readable by scripts.
  assert.equal(await page.evaluate(() => document.cookie), '', 'document.cookie must not show the session');
  await screenshot(page, 'finance-invoices');
  clean(t);
});

test('a wrong password is refused with a message', async (t) => {
  const { page } = t;
  await page.goto(`${BASE}/ui/`);
  await page.locator($('login-username')).fill('fin');
  await page.locator($('login-password')).fill('not the password');
  await page.locator($('login-submit')).click();
  await expectText(page, $('error-box'), 'wrong');
  assert.equal(await page.locator($('user-name')).count(), 0, 'no user is shown after a failed sign-in');
  await screenshot(page, 'login-refused');
  clean(t);
});

test('recipient check: a listed recipient can receive, an unknown one is explained', async (t) => {
  const { page } = t;
  await signIn(page, 'fin');
  await page.goto(`${BASE}/ui/#/recipients`);
  const [scheme, value] = DATA.recipient.split(':');
  await page.locator($('recipient-scheme')).selectOption(scheme);
  await expectText(page, $('recipient-scheme-hint'), 'OVT');
  await page.locator($('recipient-value')).fill(value);
  await page.locator($('recipient-submit')).click();
  const verdict = page.locator($('verdict'));
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-can-receive'), 'true', 'the listed recipient can receive');
  await expectText(page, $('recipient-formats'), 'UBL');
  await expectText(page, $('recipient-freshness'), 'Verified');
  await screenshot(page, 'recipient-yes');
  // Checked again on demand: the answer is there again.
  await page.locator($('recipient-recheck')).click();
  await verdict.waitFor();
  const [uscheme, uvalue] = DATA.unknown.split(':');
  await page.locator($('recipient-scheme')).selectOption(uscheme);
  await page.locator($('recipient-value')).fill(uvalue);
  await page.locator($('recipient-submit')).click();
  await waitUntil(async () => (await page.locator($('verdict')).getAttribute('data-can-receive')) === 'false',
    'the unknown recipient should get a no');
  assert.equal(await page.locator($('verdict-reason')).getAttribute('data-reason'), 'unknown');
  await screenshot(page, 'recipient-unknown');
  clean(t);
});

test('invoice detail: a status change arrives live, without a reload', async (t) => {
  const { page } = t;
  await signIn(page, 'fin');
  await page.goto(`${BASE}/ui/#/invoices/${DATA.live}`);
  const timeline = page.locator($('timeline'));
  await timeline.waitFor();
  await waitUntil(async () => (await page.locator(`${$('timeline-item')}[data-status="failed_retrying"]`).count()) > 0,
    'the blocked invoice should show failed_retrying', { timeout: 15000 });
  assert.equal(await page.locator(`${$('timeline-item')}[data-status="delivered"]`).count(), 0);
  await screenshot(page, 'invoice-live-before');
  // Lets the next delivery attempt through; the page is not touched.
  const navigations = [];
  page.on('framenavigated', (f) => navigations.push(f.url()));
  fs.unlinkSync(DATA.blocker);
  await waitUntil(async () => (await page.locator(`${$('timeline-item')}[data-status="delivered"]`).count()) > 0,
    'the delivered status should appear live', { timeout: 20000 });
  await expectText(page, $('invoice-status'), 'Delivered');
  assert.deepEqual(navigations, [], 'the page must not have reloaded');
  await screenshot(page, 'invoice-live-delivered');
  clean(t);
});

test('invoice detail: the document, route and downloads; a <script> seller name is text', async (t) => {
  const { page } = t;
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
  await signIn(page, 'fin');
  await page.goto(`${BASE}/ui/#/invoices/${DATA.a}`);
  await page.locator($('invoice-view')).waitFor();
  await expectText(page, $('invoice-view'), DATA.xss);
  await page.locator($('invoice-lines')).waitFor();
  await page.locator($('vat-breakdown')).waitFor();
  await expectText(page, $('invoice-totals'), 'EUR');
  assert.ok(await page.locator($('document')).count() >= 2, 'original and produced documents are listed');
  // Only the page's own script runs: the name did not become an element.
  assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 1);
  assert.equal(dialogs, 0, 'no alert may run');
  await screenshot(page, 'invoice-detail');
  clean(t);
});

test('customer: only its buyer\'s invoices, and staff pages are refused', async (t) => {
  const { page } = t;
  await signIn(page, 'cust');
  await expectText(page, $('user-role'), 'customer');
  assert.equal(await page.locator($('nav-directory')).count(), 0, 'a customer has no directory link');
  await page.locator($('invoice-row')).first().waitFor();
  const ids = await page.locator($('invoice-row')).evaluateAll((rows) => rows.map((r) => r.dataset.invoiceId));
  assert.deepEqual(ids, [DATA.a], 'the customer sees only the invoice to its buyer');
  await screenshot(page, 'customer-invoices');
  // Editing the URL to another buyer's invoice or a staff page gets nothing.
  await page.goto(`${BASE}/ui/#/invoices/${DATA.b}`);
  await expectText(page, $('error-box'), 'ot found');
  await page.goto(`${BASE}/ui/#/directory`);
  await expectText(page, $('error-box'), 'role does not allow');
  await screenshot(page, 'customer-refused');
  clean(t);
});

test('admin: every tenant\'s invoices; directory and operators', async (t) => {
  const { page } = t;
  await signIn(page, 'admin1');
  await page.locator($('invoice-row')).first().waitFor();
  const ids = await page.locator($('invoice-row')).evaluateAll((rows) => rows.map((r) => r.dataset.invoiceId));
  for (const id of [DATA.a, DATA.b, DATA.c]) assert.ok(ids.includes(id), `admin should see ${id}`);
  await page.goto(`${BASE}/ui/#/directory`);
  await page.locator($('directory-source')).first().waitFor();
  await page.locator($('operator')).first().waitFor();
  await screenshot(page, 'admin-directory');
  clean(t);
});

test('KPIs: tiles and charts drawn from the figures', async (t) => {
  const { page } = t;
  await signIn(page, 'fin');
  await page.goto(`${BASE}/ui/#/kpis`);
  await page.locator('#chart-daily').waitFor();
  // fin's tenant sent UI-A, UI-B and UI-LIVE today.
  await expectText(page, $('kpi-tile-sent'), '3');
  const bars = await page.locator('#chart-daily rect').count();
  assert.ok(bars >= 2, `the daily chart should have bars, it has ${bars} rect elements`);
  assert.ok(await page.locator('#chart-share').count() === 1, 'the e-invoice share is drawn');
  assert.ok((await page.locator('#chart-daily').getAttribute('aria-label') || '').length > 0
    || await page.locator('#chart-daily title').count() > 0, 'the chart is labelled for screen readers');
  await screenshot(page, 'kpis');
  clean(t);
});

test('directory: a manual refresh from the page runs the sync', async (t) => {
  const { page } = t;
  await signIn(page, 'admin1');
  await page.goto(`${BASE}/ui/#/directory`);
  const source = page.locator(`${$('directory-source')}[data-source="fi-registry"]`);
  await source.waitFor();
  const before = await source.innerText();
  await page.locator($('directory-refresh-all')).click();
  await waitUntil(async () => (await source.innerText()) !== before,
    'the source\'s last run should change after the refresh', { timeout: 20000 });
  assert.equal(await source.getAttribute('data-health'), 'ok');
  await screenshot(page, 'directory-refreshed');
  clean(t);
});

// Every control of every page has an accessible name (a label, aria-label or text), every image-like
// chart a title or label, and every page one h1.
async function unlabelled(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const c of document.querySelectorAll('input, select, textarea, button, a[href]')) {
      if (c.type === 'hidden') continue;
      const labelled = (c.labels && c.labels.length) || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby')
        || (c.textContent || '').trim() || c.getAttribute('title');
      if (!labelled) bad.push(c.outerHTML.slice(0, 120));
    }
    for (const g of document.querySelectorAll('svg')) {
      if (g.getAttribute('aria-hidden') === 'true') continue;
      if (!g.getAttribute('aria-label') && !g.querySelector('title') && !g.getAttribute('aria-labelledby')) {
        bad.push(g.outerHTML.slice(0, 120));
      }
    }
    if (document.querySelectorAll('h1').length !== 1) bad.push(`${document.querySelectorAll('h1').length} h1 headings`);
    return bad;
  });
}

test('accessible labels on every page', async (t) => {
  const { page } = t;
  await signIn(page, 'admin1');
  for (const route of ['#/recipients', '#/invoices', `#/invoices/${DATA.a}`, '#/directory', '#/kpis']) {
    await page.goto(`${BASE}/ui/${route}`);
    await page.locator('h1').first().waitFor();
    await page.waitForLoadState('networkidle').catch(() => {});
    assert.deepEqual(await unlabelled(page), [], `controls without an accessible name on ${route}`);
  }
  await page.goto(`${BASE}/ui/#/recipients`);
  await screenshot(page, 'accessible-recipients');
  clean(t);
});

test('phone screen: the invoice list fits 360 px', async (t) => {
  const { page } = t;
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, 'fin');
  await page.locator($('invoice-row')).first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow} px wider than the screen`);
  await screenshot(page, 'phone-invoices');
  clean(t);
});

await run();
