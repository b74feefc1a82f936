// Proves the browser-test harness (browser.mjs) works, without eigw: a tiny static server on
// 127.0.0.1 serves one page with a form; the tests fill it, click and press keys, check the text
// the page's script writes, check that requests to the internet are blocked and recorded, and save
// screenshots. Run: EIGW_UI_NODE_DIR=$(scripts/ui-browser-setup) node tests/ui/smoke_test.mjs
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  after, expectNoExternalRequests, expectText, run, screenshot, test, waitUntil,
} from './browser.mjs';

// The page: a labelled input and a submit button; submitting writes a greeting into #status.
// It also tries to reach the internet twice (an image and a fetch "beacon"), which the harness
// must block and record, and loads a stylesheet from its own server, which must go through.
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>eigw UI smoke page</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/style.css">
</head>
<body>
  <h1>Harness smoke page</h1>
  <form id="greeting">
    <label for="name">Your name</label>
    <input id="name" name="name" autocomplete="off">
    <button id="greet" type="submit">Greet</button>
  </form>
  <p id="status">Not greeted yet</p>
  <img id="remote" alt="remote image" src="http://example.com/x.png" width="16" height="16">
  <script>
    document.getElementById('greeting').addEventListener('submit', (event) => {
      event.preventDefault();
      const name = document.getElementById('name').value || 'nobody';
      document.getElementById('status').textContent = 'Hello, ' + name + '!';
    });
    fetch('https://telemetry.example.org/beacon', { method: 'POST', body: 'hi' })
      .then(() => { document.body.dataset.beacon = 'sent'; },
            () => { document.body.dataset.beacon = 'failed'; });
  </script>
</body>
</html>`;
const STYLE = 'body { font-family: "DejaVu Sans", sans-serif; margin: 2rem; } #status { font-weight: 700; }';

const served = []; // paths the server answered, to show local requests are not blocked
const server = http.createServer((req, res) => {
  served.push(req.url);
  if (req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
  } else if (req.url === '/style.css') {
    res.writeHead(200, { 'Content-Type': 'text/css' }).end(STYLE);
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)); // port 0: any free port
const base = `http://127.0.0.1:${server.address().port}`;
after(() => new Promise((resolve) => server.close(resolve)));

test('clicking the button changes the text', async ({ page }) => {
  await page.goto(`${base}/`);
  await expectText(page, '#status', 'Not greeted yet');
  await screenshot(page, 'smoke-1-loaded');
  await page.getByLabel('Your name').fill('Ada');
  await page.getByRole('button', { name: 'Greet' }).click();
  await expectText(page, '#status', 'Hello, Ada!', { exact: true });
  await screenshot(page, 'smoke-2-clicked');
});

test('keyboard: Tab to the input and the button, Enter submits', async ({ page }) => {
  await page.goto(`${base}/`);
  await page.keyboard.press('Tab'); // the first focusable element: the input
  assert.equal(await page.evaluate(() => document.activeElement.id), 'name');
  await page.keyboard.type('Grace');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'greet', 'Tab should reach the button');
  await page.keyboard.press('Enter');
  await expectText(page, '#status', 'Hello, Grace!', { exact: true });
  await screenshot(page, 'smoke-3-keyboard');
});

test('requests outside 127.0.0.1 are blocked and recorded', async ({ page, blocked }) => {
  await page.goto(`${base}/`);
  // Both outside requests are recorded: the image and the fetch beacon.
  await waitUntil(() => blocked.length >= 2, `expected 2 blocked requests, got ${JSON.stringify(blocked)}`);
  assert.deepEqual(blocked.map((r) => [r.method, r.url, r.type]).sort(), [
    ['GET', 'http://example.com/x.png', 'image'],
    ['POST', 'https://telemetry.example.org/beacon', 'fetch'],
  ]);
  // ... and neither reached anything: the image is broken, the page saw its fetch fail.
  assert.equal(await page.locator('#remote').evaluate((img) => img.complete && img.naturalWidth), 0);
  await waitUntil(() => page.evaluate(() => document.body.dataset.beacon), 'the beacon fetch never settled');
  assert.equal(await page.evaluate(() => document.body.dataset.beacon), 'failed');
  // The page's own stylesheet came from the local server and applies.
  assert.ok(served.includes('/style.css'), `the server saw ${JSON.stringify(served)}`);
  assert.equal(await page.locator('#status').evaluate((el) => getComputedStyle(el).fontWeight), '700');
  // The assertion UI tests use: here it must fail and name the blocked URLs.
  assert.throws(() => expectNoExternalRequests(blocked), /example\.com\/x\.png[\s\S]*telemetry\.example\.org/);
  assert.doesNotThrow(() => expectNoExternalRequests([]));
  await screenshot(page, 'smoke-4-blocked');
});

test('expectText explains its failures', async ({ page }) => {
  await page.goto(`${base}/`);
  await assert.rejects(expectText(page, '#status', 'Goodbye', { timeout: 200 }),
    /expectText\("#status"\): expected "Goodbye", but after 200 ms its text is "Not greeted yet"/);
  await assert.rejects(expectText(page, '#missing', 'x', { timeout: 200 }), /no element matches it/);
  await assert.rejects(expectText(page, 'label, button', 'x', { timeout: 200 }), /2 elements match it/);
});

await run();
