// A small library for eigw's web UI tests: headless Debian Chromium driven by playwright-core,
// a few assertion helpers and a tiny test runner.
//
//   import { test, run, expectText, screenshot } from './browser.mjs';
//   test('the dashboard loads', async ({ page, blocked }) => { ... });
//   await run();
//
// Environment:
//   EIGW_UI_NODE_DIR     the node_modules folder holding playwright-core, as printed by
//                        scripts/ui-browser-setup (its parent folder is accepted too);
//                        default $HOME/.cache/eigw/ui-node/node_modules
//   EIGW_UI_CHROMIUM     the browser binary; default /usr/bin/chromium (Debian's package)
//   EIGW_UI_SCREENSHOTS  where PNG screenshots go; default ./ui-screenshots of the current folder
//   EIGW_UI_HEADED=1     show the browser window (needs a display), for debugging
//
// When playwright-core or Chromium is missing, the runner prints SKIPPED and exits 77 (the skip
// code the repository's other optional tests use with ctest's SKIP_RETURN_CODE).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export const SKIP_EXIT_CODE = 77;
export const VIEWPORT = { width: 1280, height: 800 };
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const CHROMIUM = process.env.EIGW_UI_CHROMIUM || '/usr/bin/chromium';

// ---- loading playwright-core ------------------------------------------------------------------

class SkipError extends Error {}

// Finds the node_modules folder with playwright-core and loads it (CommonJS, via createRequire, so
// the test files need no package.json or node_modules of their own).
function loadPlaywright() {
  const given = process.env.EIGW_UI_NODE_DIR
    || path.join(os.homedir(), '.cache', 'eigw', 'ui-node', 'node_modules');
  const candidates = [given, path.join(given, 'node_modules')];
  const dir = candidates.find((d) => fs.existsSync(path.join(d, 'playwright-core', 'package.json')));
  if (!dir) {
    throw new SkipError(`playwright-core is not in ${given} (run scripts/ui-browser-setup and pass `
      + 'the folder it prints as EIGW_UI_NODE_DIR)');
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new SkipError(`${CHROMIUM} is missing (run scripts/ui-browser-setup)`);
  }
  return createRequire(path.join(path.resolve(dir), 'eigw-ui-tests.cjs'))('playwright-core');
}

// ---- browser, context and page ----------------------------------------------------------------

// Starts headless Chromium. playwright-core already passes most of the flags below by default;
// they are repeated so that the tests do not depend on its defaults:
//  --no-sandbox                  as root: Chromium refuses to start its sandbox as root.
//  --disable-dev-shm-usage       shared memory in /tmp instead of /dev/shm, which is only 64 MB in
//                                many containers (Chromium then crashes on big pages).
//  --disable-gpu                 no GPU here; avoids probing for one.
//  --disable-quic and the --disable-*-networking/update/sync flags: no background connections to
//                                Google's services, which a closed network refuses at every start.
//  --host-resolver-rules         (blockExternal only) every host name except localhost resolves to
//                                nothing (IP addresses other than loopback too), a second fence
//                                behind the request routing of newPage.
export async function launchBrowser({ blockExternal = true } = {}) {
  const { chromium } = loadPlaywright();
  const args = [
    '--disable-dev-shm-usage', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--disable-features=Translate,OptimizationHints,MediaRouter',
  ];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  if (blockExternal) args.push('--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.EIGW_UI_HEADED !== '1',
    args,
    timeout: 30_000,
  });
}

// True when the URL stays on this machine (or never touches the network: data:, blob:, about:).
export function isLocalUrl(url) {
  const u = new URL(url);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return true;
  return LOCAL_HOSTS.has(u.hostname);
}

// Opens a fresh context (own cookies, storage and cache) and page with a fixed viewport, locale and
// time zone, so screenshots are the same on every machine. With blockExternal (the default) every
// request to a host other than 127.0.0.1/localhost/[::1] is aborted and recorded in `blocked`
// ({url, method, type}), so a test can assert that the UI never calls out to the internet.
// `pageErrors` collects uncaught JavaScript exceptions of the page.
export async function newPage(browser, { blockExternal = true, viewport = VIEWPORT } = {}) {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
    colorScheme: 'light',
    reducedMotion: 'reduce',
    serviceWorkers: 'block', // a service worker's own fetches would bypass the routing below
  });
  context.setDefaultTimeout(10_000);
  const blocked = [];
  if (blockExternal) {
    await context.route('**/*', (route) => {
      const request = route.request();
      if (isLocalUrl(request.url())) return route.continue();
      blocked.push({ url: request.url(), method: request.method(), type: request.resourceType() });
      return route.abort('blockedbyclient');
    });
    // WebSockets are not seen by route(); close any that leave the machine, and record them too.
    await context.routeWebSocket(/.*/, (ws) => {
      if (isLocalUrl(ws.url())) return ws.connectToServer();
      blocked.push({ url: ws.url(), method: 'GET', type: 'websocket' });
      return ws.close({ code: 1008, reason: 'blocked by the eigw UI tests' });
    });
  }
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  return { context, page, blocked, pageErrors };
}

// One call for a script that wants a browser and a page: returns {browser, context, page, blocked,
// pageErrors}. Close it with `await browser.close()`.
export async function launch(options = {}) {
  const browser = await launchBrowser(options);
  return { browser, ...(await newPage(browser, options)) };
}

// ---- helpers ----------------------------------------------------------------------------------

export function screenshotDir() {
  return path.resolve(process.env.EIGW_UI_SCREENSHOTS || 'ui-screenshots');
}

// Saves a full-page PNG as <EIGW_UI_SCREENSHOTS>/<name>.png and returns its path. The name is
// reduced to letters, digits, '.', '_' and '-'.
export async function screenshot(page, name) {
  const dir = screenshotDir();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${String(name).replace(/[^A-Za-z0-9._-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Waits until exactly one element matches `selector` and its visible text contains `text` (a
// string, or a RegExp tested against the text; {exact: true} for the whole text). Throws a message
// that says what was expected and what was there: no element, several elements, or other text.
export async function expectText(page, selector, text, { timeout = 5000, exact = false } = {}) {
  const locator = page.locator(selector);
  const matches = (actual) => (text instanceof RegExp ? text.test(actual)
    : exact ? actual.trim() === text : actual.includes(text));
  const deadline = Date.now() + timeout;
  let seen;
  for (;;) {
    const count = await locator.count();
    if (count === 1) {
      const actual = await locator.innerText();
      if (matches(actual)) return actual;
      seen = `its text is ${JSON.stringify(actual)}`;
    } else {
      seen = count === 0 ? 'no element matches it' : `${count} elements match it`;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const want = text instanceof RegExp ? String(text) : JSON.stringify(text);
  throw new Error(`expectText(${JSON.stringify(selector)}): expected ${exact ? 'exactly ' : ''}${want}, `
    + `but after ${timeout} ms ${seen} (page ${page.url()})`);
}

// Polls `condition` (sync or async) every 50 ms until it returns a truthy value, which it returns;
// throws `message` after `timeout` ms.
export async function waitUntil(condition, message, { timeout = 5000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`${message} (waited ${timeout} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Throws, listing them, when any request to a host outside this machine was made (and blocked).
export function expectNoExternalRequests(blocked) {
  if (blocked.length === 0) return;
  const list = blocked.map((r) => `  ${r.method} ${r.url} (${r.type})`).join('\n');
  throw new Error(`the page made ${blocked.length} request(s) outside 127.0.0.1/localhost:\n${list}`);
}

// ---- the test runner --------------------------------------------------------------------------

const tests = [];
const cleanups = [];

// Registers a test. `fn` receives {browser, context, page, blocked, pageErrors}, a fresh context
// and page of its own. Options: {timeout} in ms (default 30 s); {blockExternal: false} turns off
// the routing and recording of outside requests for this test (the browser's host-resolver fence
// stays, so host names other than localhost still do not resolve).
export function test(name, fn, options = {}) {
  tests.push({ name, fn, options });
}

// Registers a function run after all tests (stopping a server the tests used, for example).
export function after(fn) {
  cleanups.push(fn);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Runs the registered tests in order in one browser, printing `ok <name>` or `FAIL <name>` and the
// error for each, with a screenshot `<name>.FAILED.png` of the failing page. Command-line
// arguments, when given, keep only the tests whose names contain one of them. Exits the process:
// 0 when all passed, 1 when any failed, 77 when playwright-core or Chromium is missing.
export async function run() {
  const filters = process.argv.slice(2);
  const selected = tests.filter((t) => filters.length === 0 || filters.some((f) => t.name.includes(f)));
  if (selected.length === 0) {
    console.log(`FAIL no test name contains any of ${JSON.stringify(filters)}`);
    process.exit(1);
  }
  const started = Date.now();
  let browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    if (error instanceof SkipError) {
      console.log(`SKIPPED: ${error.message}`);
      await runCleanups();
      process.exit(SKIP_EXIT_CODE);
    }
    throw error;
  }
  let failed = 0;
  for (const t of selected) {
    const session = await newPage(browser, t.options);
    try {
      await withTimeout(t.fn({ browser, ...session }), t.options.timeout ?? 30_000, `test "${t.name}"`);
      console.log(`ok   ${t.name}`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${t.name}\n${indent(error.stack || String(error))}`);
      try {
        console.log(`     screenshot: ${await screenshot(session.page, `${t.name}.FAILED`)}`);
      } catch (shotError) {
        console.log(`     (no screenshot: ${shotError.message.split('\n')[0]})`);
      }
    } finally {
      await session.context.close().catch(() => {});
    }
  }
  const version = browser.version();
  await browser.close();
  await runCleanups();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${selected.length - failed} passed, ${failed} failed (${seconds} s, Chromium ${version})`);
  process.exit(failed ? 1 : 0);
}

async function runCleanups() {
  for (const fn of cleanups) {
    try { await fn(); } catch (error) { console.log(`cleanup failed: ${error.message}`); }
  }
}

function indent(text) {
  return text.split('\n').map((line) => `     ${line}`).join('\n');
}
