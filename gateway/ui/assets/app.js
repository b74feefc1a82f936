/* E-invoice gateway web UI: a small single-page app in plain JavaScript (no framework, no build).
 *
 * Rules kept throughout this file:
 *  - Server data reaches the page only through textContent and attribute setters, never innerHTML,
 *    so a seller called "<script>alert(1)</script>" shows as text.
 *  - Links taken from server data are used only when they are same-origin paths (see safeHref).
 *  - The CSRF token lives in memory only and is sent as X-CSRF-Token with every non-GET request.
 *  - No inline styles (the Content-Security-Policy forbids them): looks come from classes in
 *    app.css, chart geometry from SVG attributes.
 *
 * Layout of the file: state, DOM helpers, formatting, the API helper, messages, the router and
 * page chrome, then one view function per route, then the charts, then start-up.
 */
'use strict';

(() => {
  // ---------------------------------------------------------------------------------------------
  // State

  const state = {
    user: null,       // {name, role, tenant, buyer} while signed in
    csrf: null,       // CSRF token from the login or /ui/api/me answer; memory only
    returnTo: null,   // the hash to open after signing in
    notice: null,     // a message for the login page ("your session has ended")
    cleanups: [],     // stop functions of the current view (timers, event streams)
    renderId: 0,      // increases with every route change; async work checks it before drawing
    listHash: '#/invoices', // the last invoice list (with its filters), for "back to the list"
  };

  const ALL_ROLES = ['admin', 'finance', 'customer'];
  const STAFF = ['admin', 'finance'];

  // ---------------------------------------------------------------------------------------------
  // DOM helpers

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const PROPS = new Set(['value', 'checked', 'selected', 'disabled']);

  // Builds an element. attrs: `class` (string or array), `text`, onXxx functions (listeners),
  // value/checked/selected/disabled (set as properties after the children, so a <select> can take
  // its value), anything else as an attribute (true means present, null/false/undefined skip it).
  function build(ns, tag, attrs, children) {
    const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    const props = [];
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith('on')) {
        if (typeof value === 'function') node.addEventListener(key.slice(2), value);
      } else if (key === 'class') {
        node.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
      } else if (key === 'text') {
        node.textContent = value;
      } else if (key === 'style') {
        throw new Error('inline styles are blocked by the Content-Security-Policy; use a class');
      } else if (!ns && PROPS.has(key)) {
        props.push([key, value]);
      } else {
        node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    append(node, children);
    for (const [key, value] of props) node[key] = value;
    return node;
  }

  // Appends children: nodes as they are, strings and numbers as text, arrays flattened, and
  // null/undefined/false skipped.
  function append(parent, children) {
    for (const child of [children].flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return parent;
  }

  // Replace or add children, skipping null/false (the native replaceChildren/append would show
  // them as the text "null").
  const fill = (node, ...children) => { node.replaceChildren(); return append(node, children); };
  const add = (node, ...children) => append(node, children);

  const el = (tag, attrs, ...children) => build(null, tag, attrs, children);
  const svg = (tag, attrs, ...children) => build(SVG_NS, tag, attrs, children);
  const $ = (selector) => document.querySelector(selector);

  // A unique id for label/aria references.
  let idCounter = 0;
  const uid = (prefix) => `${prefix}-${++idCounter}`;

  // A same-origin path from server data, or null (refuses "javascript:", "//host" and "/\host").
  function safeHref(href) {
    return typeof href === 'string' && /^\/(?![/\\])/.test(href) ? href : null;
  }

  // A section with an h2 heading.
  function section(title, attrs, ...children) {
    const id = uid('sec');
    return el('section', { class: 'panel', 'aria-labelledby': id, ...attrs },
      el('h2', { id }, title), children);
  }

  // A definition list from [label, value] pairs; pairs whose value is empty are left out.
  function facts(pairs, cls) {
    return el('dl', { class: ['facts', cls] }, pairs
      .filter(([, value]) => value !== null && value !== undefined && value !== '')
      .map(([label, value]) => el('div', {}, el('dt', {}, label), el('dd', {}, value))));
  }

  // A table: head is a list of column titles; rows a list of cell lists (strings or nodes).
  // Each cell carries its column title in data-label, which the narrow-screen layout shows
  // beside the cell's content (wrapped in one div so it stays one grid item).
  function table({ caption, head, rows, testid, rowTestid, numeric = [], rowAttrs, captionHidden }) {
    return el('div', { class: 'table-wrap' },
      el('table', { class: 'data', 'data-testid': testid },
        el('caption', { class: captionHidden ? 'visually-hidden' : null }, caption),
        el('thead', {}, el('tr', {}, head.map((h, i) =>
          el('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, h)))),
        el('tbody', {}, rows.map((cells, r) => el('tr', { 'data-testid': rowTestid, ...(rowAttrs ? rowAttrs(r) : {}) },
          cells.map((cell, i) => el(i === 0 ? 'th' : 'td', {
            scope: i === 0 ? 'row' : null, 'data-label': head[i], class: numeric.includes(i) ? 'num' : null,
          }, el('div', { class: 'cell' }, cell))))))));
  }

  // A coloured badge that always carries its meaning in text as well.
  function badge(text, tone, testid) {
    return el('span', { class: ['badge', `badge-${tone}`], 'data-testid': testid }, text);
  }

  const loading = (what) => el('p', { class: 'muted loading' }, `Loading ${what}…`);

  // ---------------------------------------------------------------------------------------------
  // Words and formatting

  const STATUS = {
    received: ['Received', 'info'], validated: ['Validated', 'info'], queued: ['Queued', 'info'],
    sending: ['Sending', 'info'], failed_retrying: ['Retrying', 'warn'], delivered: ['Delivered', 'ok'],
    in_process: ['In process', 'info'], under_query: ['Under query', 'warn'],
    conditionally_accepted: ['Conditionally accepted', 'warn'], accepted: ['Accepted', 'ok'],
    paid: ['Paid', 'ok'], rejected: ['Rejected', 'bad'], failed: ['Failed', 'bad'],
  };
  const humanize = (code) => String(code || '').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  // The gateway's format names as people know them (unknown names are shown as they are).
  const FORMAT_NAMES = {
    ubl: 'UBL 2.1 (Peppol BIS 3)', cii: 'UN/CEFACT CII', finvoice: 'Finvoice', 'ee-einvoice': 'Estonian e-invoice',
    'xrechnung-ubl': 'XRechnung (UBL)', 'xrechnung-cii': 'XRechnung (CII)', facturx: 'Factur-X',
    'facturx-basic': 'Factur-X BASIC', json: 'gateway JSON',
  };
  const formatName = (f) => FORMAT_NAMES[f] || String(f);
  const statusLabel = (status) => (STATUS[status] ? STATUS[status][0] : humanize(status));
  const statusBadge = (status, testid) => badge(statusLabel(status), STATUS[status] ? STATUS[status][1] : 'neutral', testid);

  const FAILURES = {
    validation_failed: 'The e-invoice breaks a fatal rule; the validation findings say which.',
    recipient_not_found: 'No operator serves the recipient (any more).',
    format_not_accepted: "The recipient's operator takes no format this gateway can write.",
    delivery_failed: 'Every delivery attempt failed; the attempts say why.',
    delivery_refused: 'The operator refused the document for good.',
    rejected_by_recipient: "The recipient's ERP rejected the invoice; the reason is its own.",
    forwarding_failed: 'An operator further along the route could not deliver it.',
  };

  const RECIPIENT_REASONS = {
    not_registered: () => 'A directory source says this recipient is not registered, or no longer ' +
      'registered, to receive e-invoices. Ask the buyer for their current e-invoice address, or send ' +
      'the invoice another way (paper, e-mail).',
    document_type_not_accepted: (doc) => `The recipient receives e-invoices, but not ${doc === 'credit_note'
      ? 'credit notes' : 'invoices'}. Ask the buyer how they want to receive this document.`,
    unknown: () => 'No directory source knows this identifier. Check the scheme and the value, ' +
      'or ask the buyer for their e-invoice address.',
  };

  const CHANNELS = {
    direct: 'Direct: the operator serves the recipient itself',
    roaming: 'Roaming: through partner operators along the path',
  };

  const DOCUMENT_KINDS = {
    original: 'Original submission', produced: 'E-invoice as sent', signed: 'Signed e-invoice',
    receipt: "Operator's receipt",
  };

  const VAT_CATEGORIES = {
    S: 'standard rate', Z: 'zero rated', E: 'exempt', AE: 'reverse charge', K: 'intra-community supply',
    G: 'export outside the EU', O: 'outside the scope of VAT', L: 'Canary Islands', M: 'Ceuta and Melilla',
  };

  const PAYMENT_MEANS = {
    1: 'Not defined', 10: 'Cash', 30: 'Credit transfer', 31: 'Debit transfer', 42: 'Payment to bank account',
    48: 'Bank card', 49: 'Direct debit', 54: 'Credit card', 55: 'Debit card', 57: 'Standing agreement',
    58: 'SEPA credit transfer', 59: 'SEPA direct debit', 97: 'Clearing between partners',
  };

  const isBlank = (v) => v === null || v === undefined || v === '';

  // Amounts are decimal strings; they are grouped as text, never turned into binary floats.
  function fmtAmount(value, currency) {
    if (isBlank(value)) return '';
    const m = /^(-?)(\d+)(\.\d+)?$/.exec(String(value));
    const text = m ? m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] || '') : String(value);
    return currency ? `${text} ${currency}` : text;
  }

  function fmtPercent(share) {
    return typeof share === 'number' ? `${(share * 100).toFixed(1).replace(/\.0$/, '')} %` : '—';
  }

  function fmtRate(rate) {
    return isBlank(rate) ? '' : `${String(rate).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')} %`;
  }

  function fmtDuration(ms) {
    if (typeof ms !== 'number') return '—';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(1)} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
    return `${Math.floor(s / 86400)} d ${Math.round((s % 86400) / 3600)} h`;
  }

  // "3 min ago" / "in 12 min" from a number of seconds (positive: in the past).
  function fmtAgo(seconds) {
    if (typeof seconds !== 'number' || !isFinite(seconds)) return '';
    const future = seconds < 0;
    const s = Math.abs(Math.round(seconds));
    let text;
    if (s < 45) return future ? 'in a few seconds' : 'just now';
    if (s < 3600) text = `${Math.max(1, Math.round(s / 60))} min`;
    else if (s < 86400) text = `${Math.round(s / 3600)} h`;
    else text = `${Math.round(s / 86400)} day${Math.round(s / 86400) === 1 ? '' : 's'}`;
    return future ? `in ${text}` : `${text} ago`;
  }

  const secondsSince = (iso) => (Date.now() - Date.parse(iso)) / 1000;

  function fmtDateTime(iso, seconds) {
    const d = new Date(iso);
    if (isBlank(iso) || isNaN(d)) return isBlank(iso) ? '' : String(iso);
    return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit',
      minute: '2-digit', second: seconds ? '2-digit' : undefined });
  }

  // A YYYY-MM-DD date shown in the reader's style, read as a calendar day (no time zone shift).
  function fmtDate(ymd) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
    if (!m) return ymd || '';
    return new Date(+m[1], m[2] - 1, +m[3]).toLocaleDateString(undefined,
      { year: 'numeric', month: 'short', day: 'numeric' });
  }

  // A <time> element; optionally with "(3 min ago)".
  function timeEl(iso, { seconds = false, relative = false } = {}) {
    if (isBlank(iso)) return null;
    const ago = relative ? fmtAgo(secondsSince(iso)) : '';
    return el('time', { datetime: iso, title: iso }, fmtDateTime(iso, seconds), ago ? ` (${ago})` : '');
  }

  // A local calendar date as YYYY-MM-DD.
  function isoDate(d) {
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  }

  // A query string from an object, leaving out empty values.
  function withQuery(path, params) {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) if (!isBlank(value)) q.set(key, value);
    const text = q.toString();
    return text ? `${path}?${text}` : path;
  }

  // ---------------------------------------------------------------------------------------------
  // The API helper

  // An error answer: status plus the RFC 9457 problem document (or a stand-in).
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
      this.status = status;
      this.problem = problem || {};
    }
  }

  // Calls the gateway: JSON in and out, the session cookie, the CSRF header on non-GET requests.
  // Resolves with the parsed body (null for 204); rejects with ApiError.
  async function api(method, path, body) {
    const headers = { Accept: 'application/json, application/problem+json' };
    if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
    const init = { method, headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, { title: 'The gateway cannot be reached',
        detail: 'Check the network connection and try again.' });
    }
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await response.json().catch(() => null) : null;
    if (!response.ok) {
      throw new ApiError(response.status, data || { title: `The gateway answered ${response.status}`,
        detail: response.statusText });
    }
    return data;
  }

  // ---------------------------------------------------------------------------------------------
  // Messages: the polite live region, and the error box (role="alert")

  function announce(text) {
    const live = $('#live');
    live.textContent = '';
    setTimeout(() => { live.textContent = text; }, 60);
  }

  function clearError() {
    $('#error').replaceChildren();
  }

  // Shows a problem: {title, detail, findings, request_id}.
  function showError(problem) {
    const box = $('#error');
    fill(box,
      el('p', { class: 'error-title' }, problem.title || 'Something went wrong'),
      problem.detail ? el('p', {}, problem.detail) : null,
      Array.isArray(problem.findings) && problem.findings.length
        ? el('ul', {}, problem.findings.map((f) => el('li', {}, `${f.rule || ''} ${f.location || ''}: ${f.message || ''}`)))
        : null,
      problem.request_id ? el('p', { class: 'small' }, `Request id: ${problem.request_id}`) : null);
    box.scrollIntoView({ block: 'nearest' });
  }

  // The one place that turns a failed call into what the user sees. 401: back to the login page;
  // 403: the role does not allow it; anything else: the problem's title and detail.
  function handleError(err) {
    if (!(err instanceof ApiError)) {
      console.error(err);
      showError({ title: 'Something went wrong in this page', detail: String(err && err.message) });
      return;
    }
    if (err.status === 401) {
      if (state.user) state.notice = 'Your session has ended. Please sign in again.';
      state.user = null;
      state.csrf = null;
      const { path } = parseHash();
      if (path !== '/login') state.returnTo = location.hash;
      go('#/login');
      return;
    }
    if (err.status === 403) {
      showError({ title: 'Your role does not allow this', detail: err.problem.detail,
        request_id: err.problem.request_id });
      return;
    }
    showError({ ...err.problem, title: err.problem.title || `The gateway answered ${err.status}` });
  }

  // ---------------------------------------------------------------------------------------------
  // Router and page chrome

  const ROUTES = [
    { path: /^\/login$/, view: viewLogin, title: 'Sign in', open: true },
    { path: /^\/recipients$/, view: viewRecipients, title: 'Recipient check', roles: STAFF },
    { path: /^\/invoices$/, view: viewInvoices, title: 'Invoices', roles: ALL_ROLES },
    { path: /^\/invoices\/([^/]+)$/, view: viewInvoice, title: 'Invoice', roles: ALL_ROLES },
    { path: /^\/directory$/, view: viewDirectory, title: 'Directory', roles: STAFF },
    { path: /^\/kpis$/, view: viewKpis, title: 'KPIs', roles: STAFF },
  ];

  const NAV = [
    { id: 'recipients', label: 'Recipients', roles: STAFF },
    { id: 'invoices', label: 'Invoices', roles: ALL_ROLES },
    { id: 'directory', label: 'Directory', roles: STAFF },
    { id: 'kpis', label: 'KPIs', roles: STAFF },
  ];

  // "#/invoices?status=paid" -> {path: "/invoices", params: URLSearchParams}
  function parseHash() {
    const raw = location.hash.replace(/^#/, '') || '/';
    const at = raw.indexOf('?');
    return at < 0 ? { path: raw, params: new URLSearchParams() }
      : { path: raw.slice(0, at), params: new URLSearchParams(raw.slice(at + 1)) };
  }

  function go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  }

  const home = () => '#/invoices';

  // A check for async work: false once the user has moved to another page.
  function aliveCheck() {
    const id = state.renderId;
    return () => id === state.renderId;
  }

  // Runs a stop function when the user leaves the page.
  const onLeave = (stop) => state.cleanups.push(stop);

  function route() {
    for (const stop of state.cleanups.splice(0)) {
      try { stop(); } catch (e) { console.error(e); }
    }
    state.renderId++;
    clearError();
    const { path, params } = parseHash();
    if (!state.user && path !== '/login') {
      if (path !== '/') state.returnTo = location.hash;
      go('#/login');
      return;
    }
    if (state.user && (path === '/login' || path === '/')) {
      go(home());
      return;
    }
    renderChrome(path);
    const view = $('#view');
    view.replaceChildren();
    let match = null;
    const found = ROUTES.find((r) => (match = r.path.exec(path)));
    if (!found) {
      document.title = 'Not found — E-invoice gateway';
      add(view, el('h1', {}, 'Page not found'), el('p', {}, el('a', { href: home() }, 'Go to the invoices')));
    } else if (!found.open && !found.roles.includes(state.user.role)) {
      document.title = `${found.title} — E-invoice gateway`;
      add(view, el('h1', {}, found.title));
      showError({ title: 'Your role does not allow this',
        detail: `Signed in as ${state.user.role}; this page is for ${found.roles.join(' and ')} users.` });
    } else {
      document.title = `${found.title} — E-invoice gateway`;
      found.view(view, params, ...match.slice(1));
    }
    // Move focus to the new page's heading so keyboard and screen reader users start there.
    const heading = view.querySelector('h1');
    if (heading && found !== ROUTES[0]) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }

  // The navigation and the user box; the current page's link gets aria-current.
  function renderChrome(path) {
    const nav = $('#nav');
    const box = $('#userbox');
    const user = state.user;
    nav.hidden = box.hidden = !user;
    if (!user) {
      nav.replaceChildren();
      box.replaceChildren();
      return;
    }
    fill(nav, el('ul', {}, NAV.filter((n) => n.roles.includes(user.role)).map((n) =>
      el('li', {}, el('a', {
        href: `#/${n.id}`, 'data-testid': `nav-${n.id}`,
        'aria-current': path === `/${n.id}` || path.startsWith(`/${n.id}/`) ? 'page' : null,
      }, n.label)))));
    fill(box,
      el('span', { class: 'user-name', 'data-testid': 'user-name' }, user.name),
      badge(user.role, 'neutral', 'user-role'),
      user.tenant ? el('span', { class: 'small muted', 'data-testid': 'user-tenant' }, `tenant ${user.tenant}`) : null,
      el('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'sign-out', onclick: signOut }, 'Sign out'));
  }

  function signedIn(answer) {
    state.user = answer.user;
    state.csrf = answer.csrf;
    state.notice = null;
  }

  async function signOut() {
    try {
      await api('POST', '/ui/api/logout');
    } catch (err) {
      if (err.status !== 401) { handleError(err); return; }
    }
    state.user = null;
    state.csrf = null;
    state.returnTo = null;
    state.notice = 'You have signed out.';
    go('#/login');
    announce('Signed out.');
  }

  // ---------------------------------------------------------------------------------------------
  // Server-Sent Events

  // Follows /v1/events while the current page is open. handlers: invoice(event), state(text)
  // with text "on", "reconnecting" or "off". lastEventId: replay events after it (closes the gap
  // between loading a page and the stream starting).
  function followEvents(handlers, lastEventId) {
    if (typeof EventSource === 'undefined') { handlers.state('off'); return; }
    const source = new EventSource(withQuery('/v1/events', { last_event_id: lastEventId }));
    source.addEventListener('open', () => handlers.state('on'));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        handlers.state('off');
        // A closed stream is often an ended session: find out, and go to the login page if so.
        api('GET', '/ui/api/me').catch((err) => { if (err.status === 401) handleError(err); });
      } else {
        handlers.state('reconnecting');
      }
    });
    source.addEventListener('invoice.status', (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event && typeof event === 'object') handlers.invoice(event);
    });
    onLeave(() => source.close());
  }

  const LIVE_TEXT = { on: 'Live updates on', reconnecting: 'Reconnecting live updates…', off: 'Live updates off' };

  function liveIndicator() {
    const node = el('p', { class: 'live-indicator', 'data-testid': 'live-indicator', 'data-state': 'connecting' },
      'Connecting live updates…');
    node.set = (s) => { node.dataset.state = s; node.textContent = LIVE_TEXT[s]; };
    return node;
  }

  // ---------------------------------------------------------------------------------------------
  // #/login

  function viewLogin(root) {
    const username = el('input', { id: 'login-username', name: 'username', autocomplete: 'username',
      autocapitalize: 'none', spellcheck: 'false', required: true, 'data-testid': 'login-username' });
    const password = el('input', { id: 'login-password', name: 'password', type: 'password',
      autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
    const submit = el('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'login-submit' }, 'Sign in');

    async function onSubmit(event) {
      event.preventDefault();
      clearError();
      submit.disabled = true;
      try {
        signedIn(await api('POST', '/ui/api/login', { username: username.value, password: password.value }));
        const target = state.returnTo && !state.returnTo.startsWith('#/login') ? state.returnTo : home();
        state.returnTo = null;
        announce(`Signed in as ${state.user.name}.`);
        go(target);
      } catch (err) {
        password.value = '';
        if (err.status === 401) {
          showError({ title: 'Sign-in failed', detail: err.problem.detail || 'Wrong user name or password.' });
        } else {
          handleError(err);
        }
        password.focus();
      } finally {
        submit.disabled = false;
      }
    }

    add(root, el('div', { class: 'login-wrap' },
      el('h1', {}, 'Sign in'),
      state.notice ? el('p', { class: 'notice', 'data-testid': 'login-notice' }, state.notice) : null,
      el('form', { class: 'panel form', 'data-testid': 'login-form', onsubmit: onSubmit },
        el('div', { class: 'field' }, el('label', { for: 'login-username' }, 'User name'), username),
        el('div', { class: 'field' }, el('label', { for: 'login-password' }, 'Password'), password),
        el('div', { class: 'actions' }, submit))));
    username.focus();
  }

  // ---------------------------------------------------------------------------------------------
  // #/recipients: can a recipient receive e-invoices?

  const SCHEMES = [
    ['0088', 'GLN (GS1 Global Location Number)', '13 digits, e.g. 5790000435975.'],
    ['0192', 'Norwegian organisation number', '9 digits from the Brønnøysund register, e.g. 987654321.'],
    ['0007', 'Swedish organisation number', '10 digits without the dash, e.g. 5567321707.'],
    ['0037', 'Finnish OVT code', '0037, the 8-digit business id without the dash, and an optional ' +
      'sub-code of up to 5 characters, e.g. 003712345671.'],
    ['0216', 'Finnish OVT code (Peppol)', 'The OVT code as registered in Peppol: 12 to 17 characters ' +
      'starting with 0037, e.g. 003712345671.'],
    ['0212', 'Finnish business id (Y-tunnus)', '7 digits, a dash and a check digit, e.g. 1234567-1.'],
    ['9918', 'IBAN', 'A bank account number used as an e-invoice address, without spaces, e.g. FI2112345600000785.'],
    ['0191', 'Estonian registry code', '8 digits from the Estonian business register, e.g. 10137319.'],
    ['0208', 'Belgian enterprise number', '10 digits starting with 0 or 1, without dots, e.g. 0123456749.'],
    ['9925', 'Belgian VAT number', 'BE followed by 10 digits, e.g. BE0123456749.'],
    ['0106', 'Dutch KvK number', '8 digits from the Chamber of Commerce, e.g. 12345678.'],
    ['9930', 'German VAT number', 'DE followed by 9 digits, e.g. DE123456789.'],
    ['0204', 'German Leitweg-ID', 'The routing id of a public buyer (XRechnung): coarse, fine and check ' +
      'parts with dashes, e.g. 04011000-1234512345-06.'],
    ['0060', 'DUNS number', '9 digits from Dun & Bradstreet, e.g. 123456789.'],
    ['0184', 'Danish CVR number', '8 digits from the Central Business Register, e.g. DK12345678 or 12345678.'],
  ];

  // "0088:579..." -> ["0088", "579..."]
  function splitId(id) {
    const m = /^\s*(\d{4}):(.+)$/.exec(id || '');
    return m ? [m[1], m[2].trim()] : [null, (id || '').trim()];
  }

  const recipientHref = (id, documentType) =>
    withQuery('#/recipients', { id, document_type: documentType === 'credit_note' ? documentType : null });

  function viewRecipients(root, params) {
    const alive = aliveCheck();
    const [initialScheme, initialValue] = splitId(params.get('id'));
    const schemes = SCHEMES.slice();
    if (initialScheme && !schemes.some(([code]) => code === initialScheme)) {
      schemes.push([initialScheme, 'Other scheme', 'A scheme this page has no description for.']);
    }

    const hint = el('p', { id: 'rc-scheme-hint', class: 'hint', 'data-testid': 'recipient-scheme-hint' });
    const scheme = el('select', { id: 'rc-scheme', name: 'scheme', 'aria-describedby': 'rc-scheme-hint',
      'data-testid': 'recipient-scheme', value: initialScheme || '0088', onchange: showHint },
    schemes.map(([code, name]) => el('option', { value: code }, `${code} — ${name}`)));
    const value = el('input', { id: 'rc-value', name: 'value', required: true, autocomplete: 'off',
      spellcheck: 'false', autocapitalize: 'none', 'aria-describedby': 'rc-scheme-hint rc-value-hint',
      'data-testid': 'recipient-value', value: initialValue || '' });
    const docType = el('select', { id: 'rc-doctype', name: 'document_type', 'data-testid': 'recipient-doctype',
      value: params.get('document_type') === 'credit_note' ? 'credit_note' : 'invoice' },
    el('option', { value: 'invoice' }, 'Invoice'), el('option', { value: 'credit_note' }, 'Credit note'));
    const submit = el('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'recipient-submit' }, 'Check');
    const result = el('div', { class: 'recipient-result', 'data-testid': 'recipient-result' });

    function showHint() {
      const entry = schemes.find(([code]) => code === scheme.value);
      hint.textContent = entry ? `${entry[1]}: ${entry[2]}` : '';
    }

    // Asks the gateway; fresh = true adds max_age=0 so the sources are asked now.
    async function check(fresh) {
      clearError();
      let [typedScheme, id] = splitId(value.value);
      if (typedScheme && schemes.some(([code]) => code === typedScheme)) scheme.value = typedScheme;
      else typedScheme = null;
      id = id.replace(/\s+/g, '');
      if (!id) { showError({ title: 'Enter an identifier', detail: 'The value field is empty.' }); value.focus(); return; }
      value.value = id;
      showHint();
      const recipient = `${encodeURIComponent(scheme.value)}:${encodeURIComponent(id)}`;
      const url = withQuery(`/v1/recipients/${recipient}`, { document_type: docType.value, max_age: fresh ? '0' : null });
      submit.disabled = true;
      fill(result, loading(fresh ? 'a fresh answer from the sources' : 'the answer'));
      try {
        const answer = await api('GET', url);
        if (!alive()) return;
        fill(result, renderRecipient(answer, docType.value, () => check(true)));
        announce(answer.can_receive ? `Yes, ${answer.id} can receive this document.`
          : `No, ${answer.id} cannot receive this document.`);
      } catch (err) {
        if (!alive()) return;
        result.replaceChildren();
        handleError(err);
      } finally {
        submit.disabled = false;
      }
    }

    showHint();
    add(root, 
      el('h1', {}, 'Recipient check'),
      el('p', { class: 'lead' }, 'Can this buyer receive e-invoices, through which operator, and how fresh is that answer?'),
      el('form', { class: 'panel form form-grid', 'data-testid': 'recipient-form',
        onsubmit: (e) => { e.preventDefault(); check(false); } },
      el('div', { class: 'field field-wide' }, el('label', { for: 'rc-scheme' }, 'Identifier scheme'), scheme, hint),
      el('div', { class: 'field' }, el('label', { for: 'rc-value' }, 'Identifier value'), value,
        el('p', { id: 'rc-value-hint', class: 'hint' }, 'You may also paste a whole identifier such as 0088:5790000435975.')),
      el('div', { class: 'field' }, el('label', { for: 'rc-doctype' }, 'Document type'), docType),
      el('div', { class: 'actions' }, submit)),
      result);
    if (initialValue) check(false);
  }

  // The directory's answer: verdict, reason, route facts and freshness.
  function renderRecipient(a, documentType, recheck) {
    const yes = a.can_receive === true;
    const explain = RECIPIENT_REASONS[a.reason];
    const docWords = documentType === 'credit_note' ? 'credit notes' : 'invoices';
    const path = Array.isArray(a.path) && a.path.length
      ? el('ol', { class: 'chain', 'aria-label': 'Roaming path, from this gateway to the recipient', 'data-testid': 'recipient-path' },
        ['This gateway', ...a.path, a.name || a.id].map((hop) => el('li', {}, el('span', { class: 'hop' }, hop))))
      : null;
    const chips = (list, testid, name = humanize) => (Array.isArray(list) && list.length
      ? el('ul', { class: 'chips', 'data-testid': testid }, list.map((x) => el('li', {}, name(x))))
      : null);
    const others = Array.isArray(a.identifiers) && a.identifiers.length
      ? el('ul', { class: 'plain', 'data-testid': 'recipient-identifiers' }, a.identifiers.map((id) =>
        el('li', {}, el('a', { href: recipientHref(String(id), documentType) }, String(id)))))
      : null;
    const age = typeof a.age_seconds === 'number' ? a.age_seconds
      : (a.verified_at ? secondsSince(a.verified_at) : null);
    const freshness = a.verified_at || age !== null
      ? el('p', { class: 'freshness', 'data-testid': 'recipient-freshness' },
        `Verified ${age !== null ? fmtAgo(age) : ''}`, a.verified_at ? [' — ', timeEl(a.verified_at)] : null,
        a.checked_now ? '. The sources were asked just now.' : '. Served from the directory.')
      : el('p', { class: 'freshness' }, 'Never verified.');

    return el('section', { class: 'panel', 'aria-labelledby': 'rc-result-title' },
      el('h2', { id: 'rc-result-title' }, 'Answer for ', a.id || ''),
      el('div', { class: ['verdict', yes ? 'verdict-yes' : 'verdict-no'], 'data-testid': 'verdict',
        'data-can-receive': String(yes) },
      el('span', { class: 'verdict-mark', 'aria-hidden': 'true' }, yes ? '✓' : '✕'),
      el('div', {},
        el('p', { class: 'verdict-title' }, yes ? `Yes — can receive ${docWords}` : `No — cannot receive ${docWords}`),
        !yes ? el('p', { 'data-testid': 'verdict-reason', 'data-reason': a.reason || null },
          explain ? explain(documentType) : humanize(a.reason || 'unknown')) : null)),
      a.check_error ? el('p', { class: 'notice notice-warn', 'data-testid': 'recipient-check-error' },
        `The sources could not be asked just now (${a.check_error}); this is the stored answer.`) : null,
      facts([
        ['Name', a.name],
        ['Operator', a.operator],
        ['Channel', a.channel ? (CHANNELS[a.channel] || a.channel) : null],
        ['Roaming path', path],
        ['Answer from source', a.source],
        ['Formats', chips(a.formats, 'recipient-formats', formatName)],
        ['Document types', chips(a.document_types, 'recipient-doctypes')],
        ['Other identifiers', others],
      ]),
      freshness,
      el('div', { class: 'actions' }, el('button', { type: 'button', class: 'btn', 'data-testid': 'recipient-recheck',
        onclick: recheck }, 'Check again now')));
  }

  // ---------------------------------------------------------------------------------------------
  // #/invoices: the list, with filters and cursor paging

  const FILTERS = ['status', 'q', 'created_from', 'created_to', 'amount_min', 'amount_max', 'e_invoice'];
  const PAGE_SIZE = 50;
  // Cursors of the pages seen for the current filters, in order ("" is the first page), so
  // "Previous page" can go back although the API pages forwards only.
  const pager = { key: null, cursors: [''] };

  function viewInvoices(root, params) {
    const alive = aliveCheck();
    state.listHash = location.hash || '#/invoices';
    const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) || '']));
    const cursor = params.get('cursor') || '';
    const key = JSON.stringify(filters);
    if (pager.key !== key || !pager.cursors.includes(cursor)) {
      pager.key = key;
      pager.cursors = cursor ? ['', cursor] : [''];  // after a reload only "first page" is known
    }
    const pageIndex = pager.cursors.indexOf(cursor);
    const body = el('div', {}, loading('invoices'));
    add(root, el('h1', {}, 'Invoices'), filterForm(filters), body);

    const listHash = (extra) => withQuery('#/invoices', { ...filters, ...extra });
    api('GET', withQuery('/v1/invoices', { ...filters, cursor, limit: PAGE_SIZE })).then((page) => {
      if (!alive()) return;
      const seen = new Set();
      const items = (page.items || []).filter((it) => !seen.has(it.id) && seen.add(it.id));
      const next = page.next_cursor;
      const pagerNav = el('nav', { class: 'pager', 'aria-label': 'Pages' },
        pageIndex > 0 ? el('a', { class: 'btn', href: listHash({ cursor: pager.cursors[pageIndex - 1] }),
          'data-testid': 'prev-page' }, '← Previous page') : null,
        el('span', { class: 'muted' }, `Page ${pageIndex + 1}`),
        next ? el('a', { class: 'btn', href: listHash({ cursor: next }), 'data-testid': 'next-page',
          onclick: () => { pager.cursors = pager.cursors.slice(0, pageIndex + 1).concat(next); } }, 'Next page →') : null);
      fill(body, items.length ? invoiceTable(items) : el('p', { class: 'empty', 'data-testid': 'invoice-empty' },
        'No invoices match these filters.'), pagerNav);
      announce(`${items.length} invoice${items.length === 1 ? '' : 's'} on page ${pageIndex + 1}.`);
      // Keep the status badges of the listed invoices current.
      followEvents({
        state: () => {},
        invoice: (event) => {
          const cell = body.querySelector(`[data-invoice-id="${CSS.escape(String(event.invoice_id))}"] [data-status-cell]`);
          if (cell) fill(cell, statusBadge(event.status, 'invoice-row-status'));
        },
      });
    }).catch((err) => {
      if (!alive()) return;
      body.replaceChildren();
      handleError(err);
    });
  }

  function filterForm(filters) {
    const field = (id, label, control, wide) => el('div', { class: ['field', wide && 'field-wide'] },
      el('label', { for: id }, label), control);
    const status = el('select', { id: 'f-status', name: 'status', value: filters.status, 'data-testid': 'filter-status' },
      el('option', { value: '' }, 'Any status'),
      Object.keys(STATUS).map((s) => el('option', { value: s }, statusLabel(s))));
    const q = el('input', { id: 'f-q', name: 'q', type: 'search', value: filters.q, 'data-testid': 'filter-q',
      placeholder: 'Number or buyer' });
    const from = el('input', { id: 'f-from', name: 'created_from', type: 'date', value: filters.created_from,
      'data-testid': 'filter-created-from' });
    const to = el('input', { id: 'f-to', name: 'created_to', type: 'date', value: filters.created_to,
      'data-testid': 'filter-created-to' });
    const amount = (id, name, label) => el('input', { id, name, type: 'text', inputmode: 'decimal', value: filters[name],
      pattern: '[0-9]+([.][0-9]+)?', title: 'An amount such as 100 or 99.50', 'data-testid': `filter-${name.replace('_', '-')}`,
      'aria-label': label });
    const min = amount('f-min', 'amount_min', 'Amount from');
    const max = amount('f-max', 'amount_max', 'Amount to');
    const einv = el('select', { id: 'f-einv', name: 'e_invoice', value: filters.e_invoice, 'data-testid': 'filter-e-invoice' },
      el('option', { value: '' }, 'Any'), el('option', { value: 'true' }, 'Yes'), el('option', { value: 'false' }, 'No'));

    function onSubmit(event) {
      event.preventDefault();
      if (from.value && to.value && from.value > to.value) {
        showError({ title: 'Check the dates', detail: 'The "created from" date is after the "created to" date.' });
        from.focus();
        return;
      }
      go(withQuery('#/invoices', { status: status.value, q: q.value.trim(), created_from: from.value,
        created_to: to.value, amount_min: min.value.trim(), amount_max: max.value.trim(), e_invoice: einv.value }));
    }

    return el('form', { class: 'panel form filters', role: 'search', 'aria-label': 'Filter invoices',
      'data-testid': 'invoice-filters', onsubmit: onSubmit },
    field('f-q', 'Search', q, true), field('f-status', 'Status', status), field('f-from', 'Created from', from),
    field('f-to', 'Created to', to), field('f-min', 'Amount from', min), field('f-max', 'Amount to', max),
    field('f-einv', 'E-invoice', einv),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'filter-apply' }, 'Apply'),
      el('a', { href: '#/invoices', class: 'btn btn-quiet', 'data-testid': 'filter-clear' }, 'Clear')));
  }

  function invoiceTable(items) {
    const has = (field) => items.some((it) => !isBlank(it[field]));
    const columns = [
      ['Number', (it) => el('a', { href: `#/invoices/${encodeURIComponent(it.id)}`, 'data-testid': 'invoice-link' },
        it.invoice_number || it.id)],
      ['Status', (it) => el('span', { 'data-status-cell': '' }, statusBadge(it.status, 'invoice-row-status'))],
      ['Buyer', (it) => [it.buyer_name ? el('span', { class: 'block' }, it.buyer_name) : null,
        it.buyer_endpoint ? el('span', { class: 'small muted mono' }, it.buyer_endpoint) : null]],
      has('seller_name') ? ['Seller', (it) => it.seller_name || ''] : null,
      has('payable_amount') ? ['Amount', (it) => fmtAmount(it.payable_amount, it.currency)] : null,
      ['E-invoice', (it) => [it.e_invoice === true ? 'Yes' : it.e_invoice === false ? 'No' : '—',
        it.e_invoice_reason ? el('span', { class: 'small muted block' }, it.e_invoice_reason) : null]],
      ['Created', (it) => timeEl(it.created_at)],
      ['Updated', (it) => timeEl(it.updated_at, { relative: true })],
    ].filter(Boolean);
    const amountColumn = columns.findIndex((c) => c[0] === 'Amount');
    return table({
      caption: 'Invoices, most recently changed last', head: columns.map((c) => c[0]), testid: 'invoice-table',
      rowTestid: 'invoice-row', numeric: amountColumn >= 0 ? [amountColumn] : [],
      rowAttrs: (r) => ({ 'data-invoice-id': items[r].id }),
      rows: items.map((it) => columns.map((c) => c[1](it))),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // #/invoices/{id}: one invoice, its live timeline and the readable document

  function viewInvoice(root, params, rawId) {
    const alive = aliveCheck();
    let id;
    try { id = decodeURIComponent(rawId); } catch (e) { id = rawId; }
    const heading = el('h1', {}, 'Invoice');
    const headStatus = el('span', { class: 'head-status', 'data-testid': 'invoice-status' });
    const body = el('div', {}, loading('the invoice'));
    add(root, el('p', {}, el('a', { href: state.listHash, 'data-testid': 'back-to-list' }, '← Invoices')),
      el('div', { class: 'title-row' }, heading, headStatus), body);
    const base = `/v1/invoices/${encodeURIComponent(id)}`;

    Promise.all([api('GET', base), api('GET', `${base}/view`).catch((err) => err)]).then(([inv, doc]) => {
      if (!alive()) return;
      if (doc instanceof ApiError && doc.status === 401) { handleError(doc); return; }
      heading.textContent = `${inv.document_type === 'credit_note' ? 'Credit note' : 'Invoice'} ${inv.invoice_number || inv.id}`;
      document.title = `${heading.textContent} — E-invoice gateway`;
      fill(headStatus, statusBadge(inv.status));

      // Sections that a later re-read of the invoice redraws in place.
      const parts = { facts: el('div'), failure: el('div'), route: el('div'), findings: el('div'),
        attempts: el('div'), documents: el('div') };
      const draw = (i) => {
        fill(parts.facts, invoiceFacts(i));
        fill(parts.failure, i.failure ? failureBox(i.failure) : '');
        fill(parts.route, routeFacts(i.route));
        fill(parts.findings, findingsTable(i.findings));
        fill(parts.attempts, attemptsTable(i.attempts));
        fill(parts.documents, documentsList(i));
      };
      draw(inv);

      const events = (inv.events || []).slice().sort((a, b) => a.seq - b.seq);
      const seen = new Set(events.map((e) => e.seq));
      const timeline = el('ol', { class: 'timeline', 'data-testid': 'timeline' }, events.map((e) => timelineItem(e, false)));
      const indicator = liveIndicator();

      fill(body,
        parts.failure,
        section('Summary', {}, parts.facts),
        section('Status timeline', { 'data-testid': 'timeline-section' }, indicator, timeline),
        section('Invoice document', {}, doc instanceof Error
          ? el('p', { class: 'notice notice-warn', 'data-testid': 'invoice-view-error' },
            `The readable view is not available: ${doc.problem.detail || doc.problem.title || doc.message}`)
          : [el('div', { class: 'actions no-print' }, el('button', { type: 'button', class: 'btn btn-small',
            onclick: () => window.print() }, 'Print')), renderPaper(doc, inv)]),
        section('Route', {}, parts.route),
        section('Validation findings', {}, parts.findings),
        section('Delivery attempts', {}, parts.attempts),
        section('Documents', {}, parts.documents));

      // Live: new status events for this invoice are appended and announced, and the rest of the
      // page is re-read (attempts, documents) a moment later.
      let refreshTimer = null;
      onLeave(() => clearTimeout(refreshTimer));
      const refresh = () => api('GET', base).then((fresh) => {
        if (!alive()) return;
        draw(fresh);
        fill(headStatus, statusBadge(fresh.status));
      }).catch((err) => { if (alive() && err.status === 401) handleError(err); });
      followEvents({
        state: indicator.set,
        invoice: (event) => {
          if (event.invoice_id !== inv.id || seen.has(event.seq)) return;
          seen.add(event.seq);
          add(timeline, timelineItem(event, true));
          fill(headStatus, statusBadge(event.status));
          announce(`${inv.invoice_number || 'The invoice'} is now ${statusLabel(event.status).toLowerCase()}` +
            `${event.detail ? `: ${event.detail}` : ''}.`);
          clearTimeout(refreshTimer);
          refreshTimer = setTimeout(refresh, 800);
        },
      }, events.length ? events[events.length - 1].seq : undefined);
    }).catch((err) => {
      if (!alive()) return;
      body.replaceChildren();
      handleError(err);
    });
  }

  function timelineItem(event, fresh) {
    return el('li', { class: ['timeline-item', fresh && 'is-new'], 'data-testid': 'timeline-item',
      'data-seq': event.seq, 'data-status': event.status },
    statusBadge(event.status), ' ', timeEl(event.at, { seconds: true }),
    event.detail ? el('p', { class: 'timeline-detail' }, event.detail) : null);
  }

  // A party's name and e-invoice address; staff get a link to the recipient check.
  function partyCell(party, link) {
    if (!party) return null;
    return [party.name ? el('span', { class: 'block' }, party.name) : null,
      party.endpoint ? (link ? el('a', { class: 'small mono', href: recipientHref(party.endpoint),
        title: 'Check this recipient' }, party.endpoint) : el('span', { class: 'small mono' }, party.endpoint)) : null];
  }

  function invoiceFacts(inv) {
    const staff = state.user && STAFF.includes(state.user.role);
    return facts([
      ['Amount payable', fmtAmount(inv.payable_amount, inv.currency)],
      ['Seller', partyCell(inv.seller, staff)],
      ['Buyer', partyCell(inv.buyer, staff)],
      ['Document type', humanize(inv.document_type)],
      ['Created', timeEl(inv.created_at)],
      ['Last change', timeEl(inv.updated_at, { relative: true })],
      ['Idempotency key', inv.idempotency_key ? el('span', { class: 'mono' }, inv.idempotency_key) : null],
      ['Gateway id', el('span', { class: 'mono' }, inv.id)],
    ], 'facts-grid');
  }

  function failureBox(failure) {
    return el('div', { class: 'notice notice-bad', 'data-testid': 'invoice-failure' },
      el('p', { class: 'strong' }, `Stopped: ${humanize(failure.code)}`),
      FAILURES[failure.code] ? el('p', {}, FAILURES[failure.code]) : null,
      failure.reason ? el('p', {}, failure.reason) : null);
  }

  function routeFacts(r) {
    if (!r) return el('p', { class: 'muted' }, 'No route has been decided yet.');
    return facts([
      ['Operator', r.operator], ['Protocol', r.protocol], ['Format', r.format],
      ['E-invoice', r.e_invoice === true ? 'Yes' : r.e_invoice === false ? 'No (not an e-invoice channel)' : null],
      ['Channel', r.channel ? (CHANNELS[r.channel] || r.channel) : null],
      ['Directory source', r.directory_source], ['Recipient', r.recipient], ['Why this route', r.reason],
    ]);
  }

  const SEVERITY_TONE = { fatal: 'bad', error: 'bad', warning: 'warn', information: 'info', info: 'info' };

  function findingsTable(findings) {
    if (!Array.isArray(findings) || !findings.length) return el('p', { class: 'muted' }, 'No findings.');
    return table({ caption: `${findings.length} finding${findings.length === 1 ? '' : 's'}`, testid: 'findings', captionHidden: true,
      head: ['Rule', 'Severity', 'Location', 'Message'], rowTestid: 'finding',
      rows: findings.map((f) => [f.rule, badge(f.severity || '', SEVERITY_TONE[f.severity] || 'neutral'),
        el('span', { class: 'mono small' }, f.location || ''), f.message]) });
  }

  const OUTCOME_TONE = { delivered: 'ok', failed: 'warn', refused: 'bad' };

  function attemptsTable(attempts) {
    if (!Array.isArray(attempts) || !attempts.length) return el('p', { class: 'muted' }, 'No delivery attempts yet.');
    return table({ caption: 'Delivery attempts, oldest first', testid: 'attempts', rowTestid: 'attempt', captionHidden: true,
      head: ['Attempt', 'Started', 'Finished', 'Outcome', 'Detail'],
      rows: attempts.map((a) => [String(a.number), timeEl(a.started_at, { seconds: true }),
        timeEl(a.finished_at, { seconds: true }), badge(humanize(a.outcome), OUTCOME_TONE[a.outcome] || 'neutral'),
        a.detail || '']) });
  }

  const EXTENSIONS = { 'application/json': 'json', 'application/xml': 'xml', 'text/xml': 'xml', 'application/pdf': 'pdf' };

  function documentsList(inv) {
    const docs = Array.isArray(inv.documents) ? inv.documents : [];
    if (!docs.length) return el('p', { class: 'muted' }, 'No archived documents yet.');
    const base = (inv.invoice_number || inv.id).replace(/[^\w.-]+/g, '_');
    return el('ul', { class: 'documents', 'data-testid': 'documents' }, docs.map((d) => {
      const href = safeHref(d.href);
      const label = DOCUMENT_KINDS[d.kind] || humanize(d.kind);
      const ext = EXTENSIONS[(d.media_type || '').split(';')[0]] || 'bin';
      return el('li', { 'data-testid': 'document' },
        href ? el('a', { href, download: `${base}-${d.kind}.${ext}` }, `Download: ${label}`) : el('span', {}, label),
        el('span', { class: 'small muted block' }, [d.media_type, typeof d.size === 'number' ? `${d.size} bytes` : null,
          d.sha256 ? `SHA-256 ${String(d.sha256).slice(0, 12)}…` : null].filter(Boolean).join(' · ')));
    }));
  }

  // The invoice as a printed document: parties side by side, lines, VAT breakdown, totals, payment.
  function renderPaper(doc, inv) {
    doc = doc || {};
    const currency = doc.currency || inv.currency || '';
    const money = (v) => fmtAmount(v, null);
    const lines = Array.isArray(doc.lines) ? doc.lines : [];
    const vat = Array.isArray(doc.vat_breakdown) ? doc.vat_breakdown : [];
    const totals = doc.totals || {};
    const payment = doc.payment || {};
    const notes = (Array.isArray(doc.notes) ? doc.notes : []).filter((n) => !isBlank(n));
    const title = doc.document_type === 'credit_note' ? 'Credit note' : 'Invoice';

    // Allowances, charges, prepayment and rounding only show when they are not zero.
    const isZero = (v) => /^[-+]?0*(\.0*)?$/.test(String(v));
    const totalRows = [
      ['Lines total', totals.line_extension], ['Allowances', totals.allowances, true],
      ['Charges', totals.charges, true], ['Total without VAT', totals.tax_exclusive], ['VAT', totals.tax],
      ['Total with VAT', totals.tax_inclusive], ['Paid in advance', totals.prepaid, true],
      ['Rounding', totals.rounding, true],
    ].filter(([, v, optional]) => !isBlank(v) && !(optional && isZero(v)));

    return el('article', { class: 'paper', 'data-testid': 'invoice-view', 'aria-labelledby': 'paper-title' },
      el('header', { class: 'paper-head' },
        el('div', {}, el('h3', { id: 'paper-title', class: 'paper-title' }, title),
          doc.number ? el('p', { class: 'paper-number' }, `No. ${doc.number}`) : null),
        facts([['Issue date', fmtDate(doc.issue_date)], ['Due date', fmtDate(doc.due_date || payment.due_date)],
          ['Currency', currency], ['Buyer reference', doc.buyer_reference]], 'paper-facts')),
      el('div', { class: 'parties' }, paperParty('From (seller)', doc.seller), paperParty('To (buyer)', doc.buyer)),
      lines.length ? table({ caption: 'Invoice lines', testid: 'invoice-lines', numeric: [2, 4, 5, 6],
        head: ['Item', 'Description', 'Quantity', 'Unit', 'Unit price', 'VAT', 'Net amount'],
        rows: lines.map((l) => [l.name || l.id || '', l.description || '', fmtAmount(l.quantity), l.unit || '',
          money(l.price), [fmtRate(l.vat_rate), l.vat_category ? ` ${l.vat_category}` : ''], money(l.net_amount)]) })
        : el('p', { class: 'muted' }, 'No invoice lines.'),
      el('div', { class: 'paper-sums' },
        vat.length ? table({ caption: 'VAT breakdown', testid: 'vat-breakdown', numeric: [1, 2, 3],
          head: ['Category', 'Rate', 'Taxable amount', 'VAT amount'],
          rows: vat.map((v) => [v.category ? `${v.category}${VAT_CATEGORIES[v.category] ? ` (${VAT_CATEGORIES[v.category]})` : ''}` : '',
            fmtRate(v.rate), money(v.taxable_amount), money(v.tax_amount)]) }) : el('div'),
        el('div', { class: 'totals', 'data-testid': 'invoice-totals' },
          el('dl', {}, totalRows.map(([label, value]) => el('div', {}, el('dt', {}, label), el('dd', {}, money(value))))),
          el('p', { class: 'payable' }, el('span', {}, 'Amount due'),
            el('strong', {}, fmtAmount(totals.payable || inv.payable_amount || '', currency) || '—')))),
      paperPayment(payment, currency, totals.payable || inv.payable_amount),
      notes.length ? el('div', { class: 'paper-notes' }, el('h4', {}, 'Notes'), notes.map((n) => el('p', {}, n))) : null);
  }

  function paperParty(title, p) {
    if (!p) return el('div', { class: 'party' }, el('h4', {}, title), el('p', { class: 'muted' }, 'Not given.'));
    const addr = p.address || {};
    const contact = p.contact || {};
    const cityLine = [addr.postcode, addr.city].filter((x) => !isBlank(x)).join(' ');
    return el('div', { class: 'party' },
      el('h4', {}, title),
      el('p', { class: 'party-name' }, p.name || '—'),
      el('address', {}, (Array.isArray(addr.lines) ? addr.lines : []).filter((l) => !isBlank(l))
        .map((l) => el('span', { class: 'block' }, l)),
      cityLine ? el('span', { class: 'block' }, cityLine) : null,
      addr.country ? el('span', { class: 'block' }, addr.country) : null),
      facts([['VAT id', p.vat_id], ['Legal id', p.legal_id], ['E-invoice address', p.endpoint],
        ['Contact', contact.name], ['E-mail', contact.email], ['Phone', contact.phone]], 'party-facts'));
  }

  function paperPayment(p, currency, payable) {
    // BT-82 (the text) when the invoice has it, else the name of BT-81 (the UNTDID 4461 code).
    const code = isBlank(p.means_code) ? null : String(p.means_code);
    const text = !isBlank(p.means) ? String(p.means) : (code && PAYMENT_MEANS[code]) || null;
    const means = text || code ? `${text || `code ${code}`}${text && code ? ` (code ${code})` : ''}` : null;
    const rows = [['Amount', fmtAmount(payable, currency)], ['Payment means', means],
      ['IBAN', p.iban ? el('span', { class: 'mono' }, p.iban) : null], ['BIC', p.bic],
      ['Payment reference', p.reference ? el('span', { class: 'mono' }, p.reference) : null],
      ['Due date', fmtDate(p.due_date)], ['Terms', p.terms]];
    return el('div', { class: 'payment-box', 'data-testid': 'invoice-payment' }, el('h4', {}, 'Payment'), facts(rows));
  }

  // ---------------------------------------------------------------------------------------------
  // #/directory: sources, certificates, operators

  function viewDirectory(root) {
    const alive = aliveCheck();
    const summary = el('p', { class: 'lead', 'data-testid': 'directory-entries' });
    const sources = el('div', { 'data-testid': 'directory-status' }, loading('the directory status'));
    const progress = el('p', { class: 'progress muted', 'data-testid': 'directory-progress' });
    const allButton = el('button', { type: 'button', class: 'btn', 'data-testid': 'directory-refresh-all',
      onclick: () => sync(null) }, 'Refresh all sources now');
    const certs = el('div', {}, loading('certificates'));
    const operators = el('div', {}, loading('operators'));
    let last = null;   // the last status answer
    let busy = false;  // a sync is being followed

    add(root, el('h1', {}, 'Directory'), summary,
      section('Directory sources', {}, el('div', { class: 'actions' }, allButton), progress, sources),
      section('Certificates', {}, certs), section('Operators', {}, operators));

    // Loads the status and redraws the cards, keeping keyboard focus on the same button.
    async function loadStatus() {
      const data = await api('GET', '/v1/directory/status');
      if (!alive()) return null;
      const focused = document.activeElement && document.activeElement.dataset
        ? document.activeElement.dataset.source : undefined;
      last = data;
      summary.textContent = `${fmtAmount(String(data.entries ?? 0))} live entries in the directory.`;
      const list = Array.isArray(data.sources) ? data.sources : [];
      fill(sources, list.length ? el('div', { class: 'cards' }, list.map((s) => sourceCard(s, busy, sync)))
        : el('p', { class: 'muted' }, 'No directory sources are configured.'));
      // aria-disabled rather than disabled: a disabled button would drop the keyboard focus.
      if (busy) allButton.setAttribute('aria-disabled', 'true'); else allButton.removeAttribute('aria-disabled');
      if (focused) {
        const again = sources.querySelector(`button[data-source="${CSS.escape(focused)}"]`);
        if (again) again.focus();
      }
      return data;
    }

    // Asks for a sync (one source, or all), then re-reads the status every 2 s for up to 30 s,
    // until every source asked for has a newer last run.
    async function sync(name) {
      if (busy) return;
      const runOf = (data, n) => ((data && data.sources) || []).find((s) => s.name === n);
      const before = {};
      for (const s of (last && last.sources) || []) before[s.name] = s.last_run_at;
      clearError();
      let answer;
      try {
        answer = await api('POST', '/v1/directory/sync', name ? { source: name } : {});
      } catch (err) { handleError(err); return; }
      if (!alive()) return;
      const requested = (answer && answer.requested) || (name ? [name] : Object.keys(before));
      busy = true;
      const started = Date.now();
      progress.textContent = `Refresh requested for ${requested.join(', ') || 'all sources'}; waiting for it to run…`;
      announce(progress.textContent);
      let timer = null;
      onLeave(() => clearTimeout(timer));
      const tick = async () => {
        let data = null;
        try { data = await loadStatus(); } catch (err) { if (alive()) handleError(err); }
        if (!alive()) return;
        const done = data && requested.every((n) => {
          const s = runOf(data, n);
          return s && s.last_run_at && s.last_run_at !== before[n];
        });
        const waited = Math.round((Date.now() - started) / 1000);
        if (done || waited >= 30 || !data) {
          busy = false;
          if (data) await loadStatus().catch(() => {});
          progress.textContent = done ? `Refresh finished after ${waited} s.`
            : `The refresh has not finished after ${waited} s; it goes on in the background. Reload this page later.`;
          announce(progress.textContent);
          return;
        }
        progress.textContent = `Refresh requested for ${requested.join(', ')}; waiting (${waited} s)…`;
        timer = setTimeout(tick, 2000);
      };
      timer = setTimeout(tick, 2000);
      loadStatus().catch(() => {});  // redraw now with the buttons disabled
    }

    loadStatus().catch((err) => { if (alive()) { sources.replaceChildren(); handleError(err); } });
    loadSection(alive, certs, '/ui/api/certificates', certificatesTable);
    loadSection(alive, operators, '/ui/api/operators', operatorsTable);
  }

  // Fills a section from a GET; failures stay inside the section (401 still goes to the login).
  function loadSection(alive, container, path, render) {
    api('GET', path).then((data) => {
      if (alive()) fill(container, render(data && Array.isArray(data.items) ? data.items : []));
    }).catch((err) => {
      if (!alive()) return;
      if (err.status === 401) { handleError(err); return; }
      fill(container, el('p', { class: 'notice notice-warn' }, err.status === 403
        ? 'Your role does not allow this.' : `Could not load this: ${err.problem.title || err.message}` +
          `${err.problem.detail ? ` — ${err.problem.detail}` : ''}`));
    });
  }

  function sourceHealth(s) {
    if (!s.last_run_at && !s.last_success_at) return ['never', 'Never run', 'neutral'];
    if (s.last_error || s.consecutive_failures > 0) return ['failing', 'Failing', 'bad'];
    return ['ok', 'OK', 'ok'];
  }

  function sourceCard(s, busy, sync) {
    const [health, label, tone] = sourceHealth(s);
    const id = uid('src');
    return el('article', { class: ['card', `health-${health}`], 'data-testid': 'directory-source',
      'data-source': s.name, 'data-health': health, 'aria-labelledby': id },
    el('div', { class: 'card-head' }, el('h3', { id }, s.name), badge(label, tone, 'directory-health')),
    facts([
      ['Live entries', fmtAmount(String(s.entries ?? 0))],
      ['Last run', timeEl(s.last_run_at, { relative: true }) || 'never'],
      ['Last success', timeEl(s.last_success_at, { relative: true }) || 'never'],
      ['Duration', typeof s.duration_ms === 'number' ? fmtDuration(s.duration_ms) : null],
      ['Changes', `${s.added ?? 0} added, ${s.changed ?? 0} changed, ${s.removed ?? 0} removed`],
      ['Errors', String(s.errors ?? 0)],
      ['Failures in a row', s.consecutive_failures ? String(s.consecutive_failures) : null],
      ['Next run', timeEl(s.next_run_at, { relative: true })],
    ]),
    s.last_error ? el('p', { class: 'notice notice-bad small', 'data-testid': 'directory-last-error' },
      'Last error: ', el('span', { class: 'mono' }, s.last_error)) : null,
    el('div', { class: 'actions' }, el('button', { type: 'button', class: 'btn btn-small', 'data-source': s.name,
      'data-testid': 'directory-refresh', 'aria-disabled': busy ? 'true' : null, 'aria-label': `Refresh ${s.name} now`,
      onclick: () => sync(s.name) }, 'Refresh now')));
  }

  function certificatesTable(items) {
    if (!items.length) return el('p', { class: 'muted' }, 'No certificates.');
    return table({ caption: 'Signing and TLS certificates; those expiring within 30 days are marked',
      testid: 'certificates', rowTestid: 'certificate', numeric: [5],
      head: ['Tenant', 'Subject', 'Issuer', 'Key type', 'Expires', 'Days left'],
      rowAttrs: (r) => ({ class: items[r].days_left < 30 ? 'row-warn' : null }),
      rows: items.map((c) => [c.tenant || '—', el('span', { class: 'mono small' }, c.subject || ''),
        el('span', { class: 'mono small' }, c.issuer || ''), c.key_type || '', timeEl(c.not_after),
        typeof c.days_left !== 'number' ? '' : c.days_left < 0 ? badge('Expired', 'bad', 'certificate-expired')
          : c.days_left < 30 ? badge(`${c.days_left} days — renew soon`, 'warn', 'certificate-expiring')
            : `${c.days_left}`]) });
  }

  function operatorsTable(items) {
    if (!items.length) return el('p', { class: 'muted' }, 'No operators are configured.');
    return table({ caption: 'Operators this gateway delivers to', testid: 'operators', rowTestid: 'operator',
      head: ['Operator', 'Protocol', 'URL', 'Formats', 'E-invoice channel'],
      rows: items.map((o) => [o.id, o.protocol || '', el('span', { class: 'mono small break' }, o.url || '—'),
        (o.formats || []).join(', '), o.e_invoice ? badge('Yes', 'ok') : badge('No', 'neutral')]) });
  }

  // ---------------------------------------------------------------------------------------------
  // #/kpis: figures and charts for a period

  function kpiPresets() {
    const today = new Date();
    const daysBack = (n) => { const d = new Date(today); d.setDate(d.getDate() - n); return isoDate(d); };
    return [
      ['Last 7 days', daysBack(6), isoDate(today), 'kpi-preset-7'],
      ['Last 30 days', daysBack(29), isoDate(today), 'kpi-preset-30'],
      ['This month', isoDate(new Date(today.getFullYear(), today.getMonth(), 1)), isoDate(today), 'kpi-preset-month'],
    ];
  }

  function viewKpis(root, params) {
    const alive = aliveCheck();
    const presets = kpiPresets();
    const fromValue = params.get('from') || presets[1][1];
    const toValue = params.get('to') || presets[1][2];
    const from = el('input', { id: 'k-from', name: 'from', type: 'date', required: true, value: fromValue, 'data-testid': 'kpi-from' });
    const to = el('input', { id: 'k-to', name: 'to', type: 'date', required: true, value: toValue, 'data-testid': 'kpi-to' });
    const show = (f, t) => {
      if (f > t) { showError({ title: 'Check the dates', detail: 'The start is after the end.' }); return; }
      go(withQuery('#/kpis', { from: f, to: t }));
    };
    const body = el('div', {}, loading('the figures'));
    add(root, el('h1', {}, 'KPIs'),
      el('form', { class: 'panel form filters', 'data-testid': 'kpi-form', 'aria-label': 'Period',
        onsubmit: (e) => { e.preventDefault(); show(from.value, to.value); } },
      el('div', { class: 'field' }, el('label', { for: 'k-from' }, 'From'), from),
      el('div', { class: 'field' }, el('label', { for: 'k-to' }, 'To'), to),
      el('div', { class: 'actions' },
        el('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'kpi-submit' }, 'Show'),
        presets.map(([label, f, t, testid]) => el('button', { type: 'button', class: 'btn btn-quiet', 'data-testid': testid,
          'aria-pressed': String(f === fromValue && t === toValue), onclick: () => show(f, t) }, label)))),
      body);

    api('GET', withQuery('/v1/kpis', { from: fromValue, to: toValue })).then((k) => {
      if (!alive()) return;
      fill(body, kpiTiles(k),
        section('Sent, received and delivered per day', {}, dailyChart(Array.isArray(k.daily) ? k.daily : [])),
        el('div', { class: 'chart-pair' },
          section('E-invoice share', {}, shareChart(k.e_invoice_share)),
          section('Rejections by reason', {}, rejectionsChart(Array.isArray(k.rejections) ? k.rejections : []))));
      announce(`Figures for ${fmtDate(k.from || fromValue)} to ${fmtDate(k.to || toValue)} loaded.`);
    }).catch((err) => {
      if (!alive()) return;
      body.replaceChildren();
      handleError(err);
    });
  }

  function kpiTiles(k) {
    const tile = (id, label, value, note) => el('div', { class: 'tile', 'data-testid': `kpi-tile-${id}` },
      el('p', { class: 'tile-label' }, label), el('p', { class: 'tile-value' }, value),
      note ? el('p', { class: 'tile-note' }, note) : null);
    const num = (v) => (typeof v === 'number' ? fmtAmount(String(v)) : '—');
    const times = k.submit_to_delivered_ms || {};
    const overdue = Array.isArray(k.overdue) ? k.overdue : [];
    return el('section', { class: 'tiles', 'aria-label': 'Key figures' },
      tile('sent', 'Sent', num(k.sent)),
      tile('received', 'Received', num(k.received)),
      tile('e-invoice-share', 'E-invoice share', fmtPercent(k.e_invoice_share), 'of sent invoices'),
      tile('median', 'Submit to delivered', fmtDuration(times.median), 'median'),
      tile('p95', 'Submit to delivered', fmtDuration(times.p95), '95th percentile'),
      tile('rejection-rate', 'Rejection rate', fmtPercent(k.rejection_rate)),
      tile('accepted', 'Accepted', num(k.accepted)),
      tile('paid', 'Paid', num(k.paid)),
      tile('overdue', 'Overdue', overdue.length ? el('span', { class: 'tile-list' }, overdue.map((o) =>
        el('span', { class: 'block' }, fmtAmount(o.amount, o.currency)))) : 'None',
      overdue.length ? overdue.map((o) => `${o.count} in ${o.currency}`).join(', ') : null));
  }

  // ---------------------------------------------------------------------------------------------
  // Charts: inline SVG built with createElementNS, each with a title, a description, and a
  // visually hidden table of the same data for screen readers.

  // A count axis: a whole step of 1, 2 or 5 times a power of ten (about four steps), and the
  // first multiple of it at or above v.
  function countAxis(v) {
    if (!(v > 0)) return { max: 1, step: 1 };
    const raw = v / 4;
    const p = 10 ** Math.floor(Math.log10(raw));
    const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((x) => x >= raw));
    return { max: Math.ceil(v / step) * step, step };
  }

  function chartFrame(id, cls, width, height, title, desc, ...children) {
    const titleId = `${id}-title`;
    const descId = `${id}-desc`;
    return svg('svg', { id, class: ['chart', cls], viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-labelledby': `${titleId} ${descId}`, 'data-testid': id, focusable: 'false' },
    svg('title', { id: titleId }, title), svg('desc', { id: descId }, desc), children);
  }

  const hiddenTable = (caption, head, rows) => el('div', { class: 'visually-hidden' },
    table({ caption, head, rows }));

  const SERIES = [['sent', 'Sent'], ['received', 'Received'], ['delivered', 'Delivered']];

  function dailyChart(daily) {
    if (!daily.length) return el('p', { class: 'muted', 'data-testid': 'chart-daily-empty' }, 'No data for this period.');
    const W = 720, H = 260, left = 44, right = 8, top = 12, bottom = 34;
    const plotW = W - left - right, plotH = H - top - bottom;
    const { max, step } = countAxis(Math.max(...daily.flatMap((d) => SERIES.map(([k]) => Number(d[k]) || 0))));
    const band = plotW / daily.length;
    const barW = Math.max(1, (band * 0.8) / SERIES.length);
    const y = (v) => top + plotH - (v / max) * plotH;
    const ticks = Array.from({ length: max / step + 1 }, (_, i) => i * step);
    const labelEvery = Math.ceil(daily.length / 8);
    const total = (k) => daily.reduce((sum, d) => sum + (Number(d[k]) || 0), 0);

    const chart = chartFrame('chart-daily', 'chart-daily', W, H, 'Sent, received and delivered invoices per day',
      `${daily.length} days from ${daily[0].date} to ${daily[daily.length - 1].date}: ` +
      SERIES.map(([k, label]) => `${total(k)} ${label.toLowerCase()}`).join(', ') + '.',
      ticks.map((t) => svg('g', { class: 'tick' },
        svg('line', { x1: left, x2: W - right, y1: y(t), y2: y(t), class: 'grid' }),
        svg('text', { x: left - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'axis-label' }, String(t)))),
      daily.map((d, i) => svg('g', { class: 'day' },
        SERIES.map(([k, label], s) => {
          const v = Number(d[k]) || 0;
          const x = left + i * band + band * 0.1 + s * barW;
          return svg('rect', { class: `bar s-${k}`, x: x.toFixed(2), y: y(v).toFixed(2), width: barW.toFixed(2),
            height: Math.max(0, top + plotH - y(v)).toFixed(2) }, svg('title', {}, `${d.date}: ${v} ${label.toLowerCase()}`));
        }),
        i % labelEvery === 0 ? svg('text', { x: (left + i * band + band / 2).toFixed(2), y: H - bottom + 16,
          'text-anchor': 'middle', class: 'axis-label' }, String(d.date).slice(5)) : null)),
      svg('line', { x1: left, x2: W - right, y1: top + plotH, y2: top + plotH, class: 'axis' }));

    return el('figure', { class: 'chart-figure' },
      // On a narrow screen the chart scrolls sideways; tabindex lets a keyboard scroll it too.
      el('div', { class: 'chart-scroll', tabindex: '0', role: 'group', 'aria-label': 'Daily chart (scrolls sideways)' }, chart),
      el('figcaption', { class: 'legend' }, SERIES.map(([k, label]) =>
        el('span', { class: 'legend-item' }, el('span', { class: `swatch s-${k}`, 'aria-hidden': 'true' }), label))),
      hiddenTable('Invoices per day', ['Date', 'Sent', 'Received', 'Delivered'],
        daily.map((d) => [d.date, String(d.sent ?? 0), String(d.received ?? 0), String(d.delivered ?? 0)])));
  }

  function rejectionsChart(rejections) {
    if (!rejections.length) return el('p', { class: 'muted', 'data-testid': 'chart-rejections-empty' }, 'No rejections in this period.');
    const rows = rejections.slice().sort((a, b) => (b.count || 0) - (a.count || 0));
    const W = 400, rowH = 42, top = 4;
    const H = top + rows.length * rowH;
    const max = Math.max(...rows.map((r) => r.count || 0), 1);
    const label = (r) => (FAILURES[r.reason] ? humanize(r.reason) : String(r.reason || 'unknown'));
    const short = (text) => (text.length > 44 ? `${text.slice(0, 42)}…` : text);
    const chart = chartFrame('chart-rejections', 'chart-rejections', W, H, 'Rejections by reason',
      rows.map((r) => `${label(r)}: ${r.count}`).join('; '),
      rows.map((r, i) => {
        const w = Math.max(2, ((r.count || 0) / max) * (W - 60));
        const y0 = top + i * rowH;
        return svg('g', { class: 'row' },
          svg('text', { x: 0, y: y0 + 13, class: 'bar-label' }, short(label(r))),
          svg('rect', { class: 'bar s-rejected', x: 0, y: y0 + 19, width: w.toFixed(2), height: 15 },
            svg('title', {}, `${label(r)}: ${r.count}`)),
          svg('text', { x: (w + 6).toFixed(2), y: y0 + 32, class: 'bar-value' }, String(r.count ?? 0)));
      }));
    return el('figure', { class: 'chart-figure' }, chart,
      hiddenTable('Rejections by reason', ['Reason', 'Count'], rows.map((r) => [label(r), String(r.count ?? 0)])));
  }

  function shareChart(share) {
    const known = typeof share === 'number';
    const pct = known ? Math.min(100, Math.max(0, share * 100)) : 0;
    // A circle with circumference 100 makes the dash lengths percentages.
    const r = 15.91549430918954;
    const chart = chartFrame('chart-share', 'chart-share', 42, 42, 'Share of sent invoices that went out as e-invoices',
      known ? `${fmtPercent(share)} e-invoices, ${fmtPercent(1 - share)} other channels.` : 'No invoices were sent in this period.',
      svg('circle', { cx: 21, cy: 21, r, class: 'donut-rest' }),
      known && pct > 0 ? svg('circle', { cx: 21, cy: 21, r, class: 'donut-part', 'stroke-dasharray': `${pct} ${100 - pct}`,
        'stroke-dashoffset': 25 }) : null,
      svg('text', { x: 21, y: 23, 'text-anchor': 'middle', class: 'donut-text' }, known ? fmtPercent(share) : 'no data'));
    return el('figure', { class: 'chart-figure donut-figure' }, chart,
      el('figcaption', { class: 'legend' },
        el('span', { class: 'legend-item' }, el('span', { class: 'swatch s-einvoice', 'aria-hidden': 'true' }), 'E-invoice'),
        el('span', { class: 'legend-item' }, el('span', { class: 'swatch s-other', 'aria-hidden': 'true' }), 'Other channels (print, e-mail)')),
      hiddenTable('E-invoice share of sent invoices', ['Channel', 'Share'],
        known ? [['E-invoice', fmtPercent(share)], ['Other channels', fmtPercent(1 - share)]] : [['No data', '—']]));
  }

  // ---------------------------------------------------------------------------------------------
  // Start-up: who is signed in, then route.

  async function start() {
    // The skip link focuses <main> without touching the hash (which the router owns).
    document.querySelector('[data-skip]').addEventListener('click', (e) => {
      e.preventDefault();
      $('#main').focus();
    });
    try {
      signedIn(await api('GET', '/ui/api/me'));
    } catch (err) {
      // Not signed in (401), or the gateway failed: then say so on the login page.
      if (err.status !== 401) state.notice = `${err.problem.title || 'The gateway did not answer'}. Try again later.`;
      state.user = null;
    }
    window.addEventListener('hashchange', route);
    route();
  }

  start();
})();
