// Browser walk of the obcina portal: a citizen registers, confirms the
// e-mail address from the server log, signs in, turns on TOTP two-factor
// verification, signs in with it, fills the profile (with a validation error
// first), looks at and downloads their data, is refused the staff area, and
// signs out. Staff issue a crisis alert (refused first, then issued) and
// visitors read the alert pages. The map: layers by keyboard, the list, the
// nearest defibrillator with a mocked position. A signed-in citizen files a fault report
// that staff refuse (first without the reason it needs) and reads the refusal
// in the inbox, is refused a second survey answer, and votes in the demo
// participatory budget (no EMŠO first, then too many projects, then a
// ballot, then a second ballot refused) whose results staff publish. Every
// page reached is checked with axe-core (WCAG 2.0/2.1 A and AA). The walk
// runs in Slovenian and English, on a phone and on a desktop.
//
//   OBCINA_BIN=target/debug/obcina node e2e/walk.mjs
//
// Environment:
//   OBCINA_BIN         the server binary (required)
//   CHROMIUM           the browser (default /usr/bin/chromium)
//   WALK_CONCURRENCY   walks at a time (default 4: most of a walk is waiting for
//                      the next TOTP time step, so the walks overlap well)
//   WALK_DEADLINE_S    give up after this many seconds (default 420: the walk takes
//                      about 190 s on 2 quiet cores, 270-300 s on 2 cores busy with builds)
//   WALK_DEBUG=1       print every step as it passes, and the server log on failure
//   WALK_SHOTS=DIR     save a full-page screenshot of every page checked
//   WALK_ONLY=map      only the map part (while working on it)
//   WALK_ONLY=guide    only the tourist guide part
//
// The last line is `N passed, M failed`; the exit code is non-zero on any failure.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const BIN = process.env.OBCINA_BIN;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CONCURRENCY = Math.max(1, Number(process.env.WALK_CONCURRENCY || 4));
const SHOTS = process.env.WALK_SHOTS;
const DEBUG = process.env.WALK_DEBUG === '1';
const ONLY = process.env.WALK_ONLY; // e.g. `map`: only that part, for working on it
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const DEADLINE_MS = Number(process.env.WALK_DEADLINE_S || 420) * 1000; // stay under 7 minutes whatever happens
const started = Date.now();

// ---------------------------------------------------------------- results

let passed = 0;
let failed = 0;
const failures = [];
const failedBy = new Map(); // label -> failed checks, so walks that overlap report their own
const notes = new Set(); // facts worth a line in the output that are not failures

/** One check: counted as passed or failed. `fatal` aborts the walk it belongs to. */
async function check(label, name, fn, { fatal = true } = {}) {
  try {
    const v = await fn();
    passed += 1;
    if (DEBUG) console.log(`  ok   [${label}] ${name}`);
    return v;
  } catch (e) {
    failed += 1;
    failedBy.set(label, (failedBy.get(label) || 0) + 1);
    const msg = (e && e.message ? e.message : String(e)).trimEnd();
    failures.push(`[${label}] ${name}\n${indent(msg, '    ')}`);
    console.log(`  FAIL [${label}] ${name}\n${indent(msg, '    ')}`);
    if (fatal) throw new WalkAborted(name);
    return undefined;
  }
}

class WalkAborted extends Error {}

/** A page reached by a journey: axe-core (WCAG 2.1 A/AA) and no horizontal scrolling, neither fatal. */
async function pageChecks(label, page, what) {
  await check(label, `${what}: axe-core finds no WCAG 2.1 A/AA violations`, () => axe(page), { fatal: false });
  await check(label, `${what}: no horizontal scrolling`, () => reflow(page), { fatal: false });
}

/** Run one walk, then print whether its own checks (`label`) passed and how long it took. */
async function timed(name, label, fn) {
  const t0 = Date.now();
  const before = failedBy.get(label) || 0;
  await fn();
  console.log(`walk ${name}: ${(failedBy.get(label) || 0) === before ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

function indent(s, pad) {
  return s.split('\n').map((l) => pad + l).join('\n');
}

// ---------------------------------------------------------------- translations

/** Plain `key = value` messages (no placeables) from the project's Fluent files. */
function loadMessages(lang) {
  const out = {};
  for (const crate of ['kernel', 'identity', 'obcina', 'participation', 'reports', 'notify', 'budget', 'events', 'bookings']) {
    const file = path.join(ROOT, 'crates', crate, 'locales', `${lang}.ftl`);
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^([a-z][a-z0-9-]*) = (.+)$/.exec(line);
      if (m && !m[2].includes('{')) out[m[1]] = m[2].trim();
    }
  }
  return out;
}
const MESSAGES = { sl: loadMessages('sl'), en: loadMessages('en') };
function t(lang, key) {
  const v = MESSAGES[lang][key];
  if (!v) throw new Error(`no ${lang} message ${key} in crates/*/locales`);
  return v;
}

// ---------------------------------------------------------------- TOTP (RFC 6238)

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${JSON.stringify(ch)} in ${s}`);
    value = ((value << 5) | i) >>> 0;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

const STEP = 30;
const stepAt = (ms) => Math.floor(ms / 1000 / STEP);

/** A code for a time step after `lastStep` (the server refuses replays): waits for the next step if needed. */
async function freshTotp(secret, lastStep) {
  let now = Date.now();
  if (lastStep !== undefined && stepAt(now) <= lastStep) {
    const wait = (lastStep + 1) * STEP * 1000 - now + 250;
    await sleep(wait);
    now = Date.now();
  }
  const step = stepAt(now);
  return { code: hotp(base32Decode(secret), step), step };
}

// ---------------------------------------------------------------- test data

/** A valid EMŠO born 1 Jan 2006, region 50, with the given serial (the check digit computed). */
function emso(serial) {
  for (let s = serial; ; s++) {
    const body = `010100650${String(s).padStart(3, '0')}`;
    const w = [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    const total = [...body].reduce((a, d, i) => a + Number(d) * w[i], 0);
    const k = (11 - (total % 11)) % 11;
    if (k === 10) continue; // avoid the ambiguous check digit
    return body + k;
  }
}

const RUNS = [
  { lang: 'sl', device: 'phone' },
  { lang: 'sl', device: 'desktop' },
  { lang: 'en', device: 'phone' },
  { lang: 'en', device: 'desktop' },
];
const DEVICES = {
  phone: { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1280, height: 800 } },
};
const PEOPLE = [
  { name: 'Ana Novak', address: 'Mestni trg 1, 2250 Ptuj' },
  { name: 'Janez Kranjc', address: 'Prešernova ulica 4, 2250 Ptuj' },
  { name: 'Mojca Zupan', address: 'Slovenski trg 6, 2250 Ptuj' },
  { name: 'Luka Horvat', address: 'Ormoška cesta 12, 2250 Ptuj' },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- the server

const ANSI = /\x1b\[[0-9;]*m/g;

async function startServer() {
  assert.ok(BIN, 'set OBCINA_BIN to the obcina binary (cargo build -p obcina)');
  assert.ok(fs.existsSync(BIN), `OBCINA_BIN=${BIN} does not exist`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'obcina-e2e-'));
  const child = spawn(BIN, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--mqtt-listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const server = { child, dataDir, stdout: '', log: '', base: null, exited: null };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { server.log += d.replace(ANSI, ''); });
  child.stdout.setEncoding('utf8');
  child.on('exit', (code, signal) => { server.exited = { code, signal }; });
  server.base = await waitReady(server).catch((e) => {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  return server;
}

function waitReady(server) {
  const { child } = server;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready in 60 s; stdout:\n${server.stdout}\nlog:\n${server.log}`)), 60_000);
    child.stdout.on('data', (d) => {
      server.stdout += d;
      const m = /obcina is ready at (http:\/\/127\.0\.0\.1:(\d+))\s+\((\d+) ms\)/.exec(server.stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before it was ready; log:\n${server.log}`));
    });
  });
}

async function stopServer(server) {
  if (!server) return;
  if (!server.exited) {
    server.child.kill('SIGTERM');
    const done = new Promise((r) => server.child.once('exit', r));
    if (!(await Promise.race([done.then(() => true), sleep(5000).then(() => false)]))) {
      server.child.kill('SIGKILL');
      await done;
    }
  }
  fs.rmSync(server.dataDir, { recursive: true, force: true });
}

/** The confirmation link of the last message to `email` in the server log. */
async function confirmationLink(server, email) {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const at = server.log.lastIndexOf(`To: ${email}`);
    if (at >= 0) {
      const m = /(http:\/\/[^\s/]+)\/confirm\?token=([A-Za-z0-9_-]+)/.exec(server.log.slice(at));
      if (m) return { origin: m[1], token: m[2], link: m[0] };
    }
    await sleep(100);
  }
  throw new Error(`no confirmation e-mail to ${email} in the server log within 20 s`);
}

// ---------------------------------------------------------------- page helpers

async function htmlLang(page) {
  return page.evaluate(() => document.documentElement.getAttribute('lang'));
}

/** Click and wait for the navigation it causes; the final main-frame response. */
async function navigate(page, action) {
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return resp;
}

async function mainText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ').trim();
}

/** Run axe-core on the page and fail with a readable list of violations. */
async function axe(page) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  if (result.violations.length === 0) return;
  const lines = [`${result.violations.length} axe violation(s) on ${page.url()}:`];
  for (const v of result.violations) {
    lines.push(`- ${v.id} (${v.impact}): ${v.help} [${v.helpUrl.replace(/\?.*$/, '')}]`);
    for (const n of v.nodes.slice(0, 8)) {
      const summary = (n.failureSummary || '').split('\n').slice(1, 3).map((s) => s.trim()).join(' ');
      lines.push(`    at ${n.target.join(' >> ')}${summary ? ` — ${summary}` : ''}`);
    }
    if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
  }
  throw new Error(lines.join('\n'));
}

/** WCAG 1.4.10: the page must not scroll sideways; name the elements that stick out. */
async function reflow(page) {
  const r = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const sw = document.documentElement.scrollWidth;
    if (sw <= vw) return null;
    const css = (el) => {
      const parts = [];
      for (let e = el; e && e !== document.body; e = e.parentElement) {
        let p = e.localName + (e.id ? `#${e.id}` : '') + [...e.classList].map((c) => `.${c}`).join('');
        if (!e.id && e.parentElement) {
          const same = [...e.parentElement.children].filter((c) => c.localName === e.localName);
          if (same.length > 1) p += `:nth-of-type(${same.indexOf(e) + 1})`;
        }
        parts.unshift(p);
        if (e.id) break;
      }
      return parts.join(' > ');
    };
    // The innermost elements whose box reaches past the viewport (scrolling boxes clip their content).
    const wide = [...document.body.querySelectorAll('*')].filter((e) => {
      const b = e.getBoundingClientRect();
      if (b.right <= vw + 0.5 || b.width === 0) return false;
      for (let a = e.parentElement; a; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return false;
      }
      return true;
    });
    const outermost = wide.filter((e) => !wide.includes(e.parentElement));
    // What forces the width: the longest unbreakable runs of text in the elements that stick out.
    const ctx = document.createElement('canvas').getContext('2d');
    const runs = [];
    for (const e of wide) {
      for (const n of e.childNodes) {
        if (n.nodeType !== Node.TEXT_NODE) continue;
        const cs = getComputedStyle(e);
        ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        for (const word of n.textContent.split(/\s+/).filter(Boolean)) {
          runs.push({ el: e, word, width: Math.round(ctx.measureText(word).width) });
        }
      }
    }
    runs.sort((a, b) => b.width - a.width);
    const boxes = outermost.slice(0, 4).map((e) => `${css(e)}: ${Math.round(e.getBoundingClientRect().width)} px wide`);
    const words = runs.slice(0, 3).map((w) => `${css(w.el)}: unbreakable ${JSON.stringify(w.word)} is ${w.width} px`);
    return { vw, sw, boxes, words };
  });
  if (r) {
    throw new Error([`${page.url()} is ${r.sw} px wide in a ${r.vw} px viewport.`, 'Widest boxes that stick out:',
      ...r.boxes.map((b) => `  ${b}`), 'Longest unbreakable text in them:', ...r.words.map((w) => `  ${w}`)].join('\n'));
  }
}

// ---------------------------------------------------------------- one walk

async function walk(browser, server, run, index) {
  const { lang, device } = run;
  const label = `${lang}/${device}`;
  const base = server.base;
  const tag = `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;
  const email = `obcan.${lang}.${device}.${tag}@example.si`;
  const password = `vinska klet ob dravi 1908 ${crypto.randomBytes(4).toString('hex')}`;
  const person = PEOPLE[index % PEOPLE.length];
  const goodEmso = emso(index); // index 0 gives 0101006500006; EMŠO is unique per account
  const badEmso = '0101006500007';
  const tr = (key) => t(lang, key);
  const ok = (name, fn, opts) => check(label, name, fn, opts);

  const context = await browser.newContext({
    ...DEVICES[device],
    locale: 'sl-SI', // a browser in Slovenia: English is chosen on the page, not by the browser
    timezoneId: 'Europe/Ljubljana',
    // The site's CSP (script-src 'self') blocks an injected axe-core; the
    // separate CSP check below runs without this bypass.
    bypassCSP: true,
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
  });

  /** The checks every page gets: language, a title, and axe-core. */
  const pageChecks = async (what) => {
    if (SHOTS) {
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `${lang}-${device}-${what.replace(/\W+/g, '-')}.png`), fullPage: true });
    }
    await ok(`${what}: html[lang] is ${lang}`, async () => assert.equal(await htmlLang(page), lang), { fatal: false });
    await ok(`${what}: axe-core finds no WCAG 2.1 A/AA violations`, () => axe(page), { fatal: false });
    await ok(`${what}: no horizontal scrolling at ${DEVICES[device].viewport.width} px (WCAG 1.4.10 reflow)`, () => reflow(page), { fatal: false });
  };
  const signedOutHeader = async () => {
    await page.locator('header.site a[href^="/login"]').waitFor();
    assert.equal((await page.locator('header.site a[href^="/login"]').innerText()).trim(), tr('nav-sign-in'));
    assert.equal(await page.locator('header.site form[action="/logout"]').count(), 0, 'a sign-out form is still in the header');
  };
  const signOut = async () => {
    const resp = await navigate(page, () => page.locator('header.site form[action="/logout"] button[type="submit"]').click());
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(resp.status(), 200);
  };

  try {
    // -- home, language
    await ok('home page opens', async () => {
      const resp = await page.goto(`${base}/`);
      assert.equal(resp.status(), 200);
      await page.locator('main h1').waitFor();
    });
    if (lang === 'en') {
      await ok('home: the Slovenian page comes first (browser locale sl-SI)', async () => assert.equal(await htmlLang(page), 'sl'));
      await ok('home: the header language switch "English" switches to English', async () => {
        const link = page.locator('header.site nav.langs a[hreflang="en"]');
        assert.equal((await link.innerText()).trim(), 'English');
        await navigate(page, () => link.click());
        assert.equal(new URL(page.url()).pathname, '/');
        assert.equal(await htmlLang(page), 'en');
        const cookies = await context.cookies(base);
        assert.ok(cookies.some((c) => c.value === 'en'), `no cookie remembers the language: ${JSON.stringify(cookies.map((c) => c.name))}`);
      });
    }
    await pageChecks('home');

    // -- registration
    await ok('home: the register link opens the registration form', async () => {
      await navigate(page, () => page.locator('header.site a[href="/register"]').click());
      assert.equal(new URL(page.url()).pathname, '/register');
      assert.equal((await page.locator('main h1').innerText()).trim(), tr('register-title'));
    });
    await pageChecks('register');
    await ok('register: submitting e-mail and passphrase says to check the e-mail', async () => {
      await page.fill('#email', email);
      await page.fill('#password', password);
      const resp = await navigate(page, () => page.locator('main form[action="/register"] button[type="submit"]').click());
      assert.equal(resp.status(), 200);
      assert.equal((await page.locator('main h1').innerText()).trim(), tr('register-done-title'));
      assert.ok((await mainText(page)).includes(tr('register-done-body')), await mainText(page));
    });
    await pageChecks('register done');

    // -- confirmation from the e-mail in the log
    const mail = await ok('the confirmation e-mail with a link appears in the server log', () => confirmationLink(server, email));
    await ok('the confirmation link points at this server', async () => assert.equal(mail.origin, base, `link in the e-mail: ${mail.link}`), { fatal: false });
    await ok('confirm: opening the link confirms the address', async () => {
      const resp = await page.goto(`${base}/confirm?token=${mail.token}`);
      assert.equal(resp.status(), 200);
      assert.equal((await page.locator('main h1').innerText()).trim(), tr('confirm-done-title'));
    });
    await pageChecks('confirm');

    // -- sign in
    await ok('confirm: the sign-in link opens the sign-in form', async () => {
      await navigate(page, () => page.locator('main a[href="/login"]').click());
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.equal((await page.locator('main h1').innerText()).trim(), tr('login-title'));
    });
    await pageChecks('login');
    await ok('login: e-mail and password sign in and land on /', async () => {
      await page.fill('#email', email);
      await page.fill('#password', password);
      await navigate(page, () => page.locator('main form[action="/login"] button[type="submit"]').click());
      assert.equal(new URL(page.url()).pathname, '/');
      await page.locator('header.site form[action="/logout"]').waitFor();
    });

    // -- 2FA setup behind re-authentication
    await ok('/account/2fa asks for the password again (re-authentication page)', async () => {
      await page.goto(`${base}/account/2fa`);
      const where = new URL(page.url());
      if (where.pathname !== '/account/reauth') {
        // The server counts the sign-in a moment ago as recent authentication
        // (sessions.reauth_minutes), so it may go straight to the 2FA page.
        // The re-authentication page is still walked: opened as the server
        // itself would redirect to it.
        assert.equal(where.pathname, '/account/2fa', `neither re-authentication nor the 2FA page: ${page.url()}`);
        notes.add('a fresh sign-in counts as recent authentication: /account/2fa opened without /account/reauth; the walk opened /account/reauth?next=%2Faccount%2F2fa itself');
        await page.goto(`${base}/account/reauth?next=${encodeURIComponent('/account/2fa')}`);
        assert.equal(new URL(page.url()).pathname, '/account/reauth');
      }
      assert.equal(new URL(page.url()).searchParams.get('next'), '/account/2fa');
      assert.equal((await page.locator('main h1').innerText()).trim(), tr('reauth-title'));
      await page.locator('#password').waitFor();
    });
    await pageChecks('reauth');
    const secret = await ok('reauth: the password opens the 2FA page with a TOTP key', async () => {
      await page.fill('#password', password);
      await navigate(page, () => page.locator('main form[action="/account/reauth"] button[type="submit"]').click());
      assert.equal(new URL(page.url()).pathname, '/account/2fa');
      const s = (await page.locator('code.secret').innerText()).trim();
      assert.match(s.replace(/\s/g, ''), /^[A-Z2-7]{16,}=*$/, `not a base32 key: ${s}`);
      return s;
    });
    await pageChecks('2fa setup');
    let lastStep;
    await ok('2fa: the current TOTP turns it on and shows recovery codes', async () => {
      const { code, step } = await freshTotp(secret);
      await page.fill('#code', code);
      await navigate(page, () => page.locator('main form[action="/account/2fa/enable"] button[type="submit"]').click());
      lastStep = step;
      const n = await page.locator('ul.codes li').count();
      assert.equal(n, 10, `recovery codes shown: ${n}; page: ${await mainText(page)}`);
      assert.equal((await page.locator('main [role="status"]').innerText()).trim(), tr('totp-enabled-now'));
    });
    await pageChecks('recovery codes');

    // -- sign out, sign in with TOTP
    await ok('sign-out button in the header signs out', async () => {
      await signOut();
      await signedOutHeader();
    });
    await ok('login again: after the password the TOTP is asked at /login/2fa', async () => {
      await navigate(page, () => page.locator('header.site a[href^="/login"]').click());
      await page.fill('#email', email);
      await page.fill('#password', password);
      await navigate(page, () => page.locator('main form[action="/login"] button[type="submit"]').click());
      assert.equal(new URL(page.url()).pathname, '/login/2fa');
      assert.equal((await page.locator('main h1').innerText()).trim(), tr('login-2fa-title'));
    });
    await pageChecks('login 2fa');
    await ok('login 2fa: a fresh TOTP (next time step) signs in', async () => {
      const { code } = await freshTotp(secret, lastStep);
      await page.fill('#code', code);
      await navigate(page, () => page.locator('main form[action="/login/2fa"] button[type="submit"]').click());
      assert.equal(new URL(page.url()).pathname, '/');
      await page.locator('header.site form[action="/logout"]').waitFor();
    });
    await ok('the language is still the chosen one after sign-in', async () => assert.equal(await htmlLang(page), lang));

    // -- profile
    await ok('account page opens from the header', async () => {
      await navigate(page, () => page.locator('header.site a[href="/account"]').click());
      assert.equal(new URL(page.url()).pathname, '/account');
      assert.equal((await page.locator('main h1').innerText()).trim(), tr('account-title'));
    });
    await ok('account: an EMŠO with a wrong check digit is refused beside the field', async () => {
      await page.fill('#emso', badEmso);
      const resp = await navigate(page, () => page.locator('main form[action="/account"] button[type="submit"]').click());
      assert.equal(resp.status(), 422);
      const err = page.locator('#emso-error');
      assert.ok(await err.isVisible(), '#emso-error is not visible');
      assert.equal((await err.innerText()).trim(), tr('field-emso-checksum'));
      assert.equal(await page.getAttribute('#emso', 'aria-invalid'), 'true');
      assert.ok(((await page.getAttribute('#emso', 'aria-describedby')) || '').split(/\s+/).includes('emso-error'), '#emso is not described by #emso-error');
      assert.equal(await page.inputValue('#emso'), badEmso, 'the entered value is kept');
      assert.equal((await page.locator('main [role="alert"]').first().innerText()).trim(), tr('error-validation-failed'));
    });
    await pageChecks('account with errors');
    await ok('account: valid name, address, phone, tax number and EMŠO are saved', async () => {
      await page.fill('#name', person.name);
      await page.fill('#address', person.address);
      await page.fill('#phone', '+386 41 123 456');
      await page.fill('#tax_number', '50223054');
      await page.fill('#emso', goodEmso);
      await navigate(page, () => page.locator('main form[action="/account"] button[type="submit"]').click());
      assert.equal(new URL(page.url()).pathname, '/account');
      assert.equal((await page.locator('main .notice[role="status"]').innerText()).trim(), tr('account-saved'));
      assert.equal(await page.locator('#emso-error').count(), 0);
      assert.equal(await page.getAttribute('#emso', 'aria-invalid'), null);
      assert.equal(await page.inputValue('#name'), person.name);
      assert.equal(await page.inputValue('#emso'), goodEmso);
      assert.equal(await page.inputValue('#tax_number'), '50223054');
    });
    await pageChecks('account saved');

    // -- my data
    await ok('my data page shows the data and the JSON download link', async () => {
      await navigate(page, () => page.locator('main a[href="/account/data"]').first().click());
      assert.equal(new URL(page.url()).pathname, '/account/data');
      assert.equal((await page.locator('main h1').innerText()).trim(), tr('account-data'));
      const shown = await page.locator('main pre.data').innerText();
      assert.ok(shown.includes(goodEmso), 'EMŠO not shown');
      assert.ok(shown.includes(email), 'e-mail not shown');
      assert.ok(shown.includes(person.name), 'name not shown');
      await page.locator('main a[href="/account/data.json"]').waitFor();
    });
    await pageChecks('data');
    await ok('data: the download is JSON with the EMŠO and the e-mail', async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('main a[href="/account/data.json"]').click(),
      ]);
      assert.match(download.suggestedFilename(), /\.json$/);
      const file = await download.path();
      const text = fs.readFileSync(file, 'utf8');
      const data = JSON.parse(text);
      const flat = JSON.stringify(data);
      assert.ok(flat.includes(`"${goodEmso}"`), `EMŠO not in the download: ${flat.slice(0, 400)}`);
      assert.ok(flat.includes(`"${email}"`), `e-mail not in the download: ${flat.slice(0, 400)}`);
    });

    // -- participation: answer the open survey (a missing answer first, then all)
    await ok('the participation hub and the survey list open', async () => {
      const resp = await page.goto(`${base}/participation`);
      assert.equal(resp.status(), 200);
    });
    await pageChecks('participation');
    await ok('the open survey opens from the list', async () => {
      await page.goto(`${base}/participation/surveys`);
      await navigate(page, () => page.locator('main ul.links').first().locator('a').first().click());
      assert.match(new URL(page.url()).pathname, /^\/participation\/surveys\/[0-9a-f-]+$/);
      await page.locator('main form button[type="submit"]').waitFor();
    });
    await pageChecks('survey form');
    await ok('a survey sent without the required answers names them, tied to their questions', async () => {
      await navigate(page, () => page.locator('main form button[type="submit"]').click());
      assert.equal(await page.locator('#q0-error').count(), 1, 'the first question says what is missing');
      assert.equal(await page.locator('fieldset#q0[aria-describedby="q0-error"]').count(), 1);
    });
    await pageChecks('survey errors');
    await ok('the survey is answered once, and then says so', async () => {
      await page.locator('input[name="q0"]').first().check();
      await page.locator('input[name="q1_0"]').check();
      await page.locator('input[name="q2"][value="4"]').check();
      await page.fill('#q3', 'Več klopi v senci.');
      await navigate(page, () => page.locator('main form button[type="submit"]').click());
      assert.equal(new URL(page.url()).search, '?thanks');
      assert.ok((await mainText(page)).includes(tr('participation-survey-thanks')));
      await page.goto(page.url().replace('?thanks', ''));
      assert.ok((await mainText(page)).includes(tr('participation-survey-answered')));
      assert.equal(await page.locator('main form button[type="submit"]').count(), 0, 'no second answer');
    });
    await pageChecks('survey answered');

    // -- staff area refused
    await ok('a citizen opening /staff gets a translated 403 page', async () => {
      const resp = await page.goto(`${base}/staff`);
      assert.equal(resp.status(), 403);
      assert.match(resp.headers()['content-type'] || '', /^text\/html/);
      const text = await mainText(page);
      assert.ok(text.includes(tr('error-missing-role')), `expected "${tr('error-missing-role')}" in: ${text}`);
    });
    await pageChecks('403 staff');

    // -- sign out
    await ok('sign out from the header', async () => {
      await page.goto(`${base}/account`);
      await signOut();
    });
    await ok('signed out: the header shows the sign-in link', signedOutHeader);
    await ok('signed out: /account needs signing in again', async () => {
      await page.goto(`${base}/account`);
      assert.equal(new URL(page.url()).pathname, '/login');
    });
    await ok('the accessibility statement opens from the footer', async () => {
      await navigate(page, () => page.locator('footer.site a[href="/accessibility"]').click());
      assert.equal(new URL(page.url()).pathname, '/accessibility');
      assert.equal((await page.locator('main h1').innerText()).trim(), tr('footer-accessibility'));
    });
    await pageChecks('accessibility statement');
    await ok('no script errors on any page', async () => assert.deepEqual(pageErrors, []), { fatal: false });
  } catch (e) {
    if (!(e instanceof WalkAborted)) {
      await check(label, 'walk ran without an unexpected error', () => { throw e; }, { fatal: false });
    }
    const shot = path.join(os.tmpdir(), `obcina-walk-${lang}-${device}.png`);
    await page.screenshot({ path: shot, fullPage: true }).then(() => console.log(`  [${label}] screenshot at ${page.url()}: ${shot}`), () => {});
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- CSP

/** The site's own pages must run under its CSP (the walks bypass it for axe). */
async function cspCheck(browser, server) {
  const label = 'csp';
  const context = await browser.newContext({ locale: 'sl-SI' });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI || ''}`.trim()));
  });
  const page = await context.newPage();
  const console_ = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) console_.push(m.text()); });
  try {
    await check(label, 'the CSP refuses an injected inline script (why the walks set bypassCSP)', async () => {
      await page.goto(`${server.base}/`);
      const injected = await page.addScriptTag({ content: 'window.__injected = true;' }).then(() => true, () => false);
      assert.equal(await page.evaluate(() => window.__injected === true), false, 'an inline script ran despite script-src \'self\'');
      assert.ok(!injected || (await page.evaluate(() => window.__csp.length)) > 0, 'no CSP violation was reported for the inline script');
      await page.evaluate(() => { window.__csp.length = 0; });
      console_.splice(0);
    }, { fatal: false });
    for (const p of ['/', '/register', '/login', '/accessibility', '/privacy']) {
      await check(label, `${p} loads with no CSP violations`, async () => {
        const resp = await page.goto(`${server.base}${p}`);
        assert.equal(resp.status(), 200);
        assert.match(resp.headers()['content-security-policy'] || '', /script-src 'self'/);
        await page.waitForLoadState('load');
        const v = await page.evaluate(() => window.__csp);
        assert.deepEqual([...v, ...console_.splice(0)], []);
      }, { fatal: false });
    }
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- staff pages

/** An administrator made with `obcina user add`, with 2FA set up in the browser. */
function addAdmin(server, email, password) {
  return addUser(server, email, password, 'admin', 'Urad župana');
}

function addUser(server, email, password, role, department) {
  return new Promise((resolve, reject) => {
    const cli = spawn(BIN, ['user', 'add', '--data-dir', server.dataDir, '--email', email, '--role', role, '--department', department, '--password-stdin'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    cli.stderr.on('data', (d) => { err += d; });
    cli.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`obcina user add failed: ${err}`))));
    cli.stdin.end(`${password}\n`);
  });
}

/** Three hours of readings for one street light, sent with a token issued from the command line. */
async function sendReadings(server) {
  const token = await new Promise((resolve, reject) => {
    const cli = spawn(BIN, ['token', 'issue', '--data-dir', server.dataDir, '--name', 'Walk', '--scope', 'telemetry:write'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    cli.stdout.on('data', (d) => { out += d; });
    cli.stderr.on('data', (d) => { err += d; });
    cli.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`obcina token issue failed: ${err}`))));
  });
  const now = Math.floor(Date.now() / 1000);
  const lines = [];
  for (let i = 36; i >= 0; i -= 1) {
    const t = now - i * 300;
    lines.push(`ptuj-lum-00001 illuminanceLevel=${i % 2 ? 40 : 100},activePower=${i % 2 ? 24 : 60},energyConsumed=${100 + (36 - i) * 0.1} ${t}`);
  }
  const resp = await fetch(`${server.base}/api/v1/telemetry/readings?precision=s`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
    body: lines.join('\n'),
  });
  assert.equal(resp.status, 200);
  const report = await resp.json();
  assert.equal(report.accepted, lines.length * 3, JSON.stringify(report));
}

/** A proposal, a question, the open survey and the closed survey's results, from the demo data. */
async function participationPages(server) {
  const get = async (p) => (await fetch(`${server.base}${p}`)).json();
  const proposals = await get('/api/v1/participation/proposals');
  const questions = await get('/api/v1/participation/questions');
  const surveys = await get('/api/v1/participation/surveys');
  const open = surveys.find((s) => s.state === 'open');
  const closed = surveys.find((s) => s.state === 'closed');
  return [`/participation/proposals/${proposals.items[0].id}`, `/participation/questions/${questions[0].id}`,
    `/participation/surveys/${open.id}`, `/participation/surveys/${closed.id}/results`];
}

/** Every staff and remaining account page, on a phone, through axe-core and the reflow check. */
async function staffWalk(browser, server) {
  const label = 'staff/phone';
  const ok = (name, fn, opts) => check(label, name, fn, opts);
  const email = `skrbnik.${crypto.randomBytes(4).toString('hex')}@example.si`;
  const password = `mestni trg ena ${crypto.randomBytes(4).toString('hex')}`;
  const context = await browser.newContext({ ...DEVICES.phone, locale: 'sl-SI', bypassCSP: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  try {
    await ok('an administrator is created from the command line', () => addAdmin(server, email, password));
    await ok('the administrator signs in', async () => {
      await page.goto(`${server.base}/login`);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await navigate(page, () => page.locator('main form[action="/login"] button[type="submit"]').click());
    });
    await ok('staff pages stay closed before 2FA', async () => {
      const resp = await page.goto(`${server.base}/staff`);
      assert.equal(resp.status(), 403);
    });
    await ok('2FA is set up after re-entering the password', async () => {
      await page.goto(`${server.base}/account/2fa`);
      assert.equal(new URL(page.url()).pathname, '/account/reauth');
      await page.fill('#password', password);
      await navigate(page, () => page.locator('main form[action="/account/reauth"] button[type="submit"]').click());
      const secret = (await page.locator('code.secret').innerText()).trim();
      const { code } = await freshTotp(secret);
      await page.fill('#code', code);
      await navigate(page, () => page.locator('main form[action="/account/2fa/enable"] button[type="submit"]').click());
      await page.locator('ul.codes li').first().waitFor();
    });
    await ok('a street light has readings to chart', () => sendReadings(server));
    const pages = ['/staff', '/staff/users', '/staff/tokens', '/staff/audit', '/organisations', '/privacy', '/api/docs', '/account/sessions',
      '/account/data', '/account/password', '/account/email', '/account/delete', '/account/2fa',
      '/staff/sensors', '/staff/sensors/devices', '/staff/sensors/devices/ptuj-lum-00001', '/staff/sensors/alarms',
      '/staff/sensors/lighting', '/staff/sensors/water', '/staff/sensors/import', '/staff/sensors/assets/ptuj-feeder-01', '/staff/sensors/map',
      '/account/notifications', '/account/inbox', '/staff/notices', '/staff/alerts', '/staff/alerts/new',
      '/staff/participation', '/staff/participation/surveys/new', '/participation/proposals/new', '/participation/questions/new?q=parkiranje',
      '/account/participation', '/staff/bookings', '/staff/bookings?resource=narodni-dom-dvorana', '/staff/bookings/resources', '/staff/bookings/resources/new',
      '/staff/bookings/resources/narodni-dom-dvorana', '/staff/places/aed-mestna-hisa', '/data/fault-reports', '/staff/catalog', '/staff/catalog/fault-reports', '/staff/indicators',
      ...(await participationPages(server))];
    for (const p of pages) {
      await ok(`${p} opens`, async () => {
        const resp = await page.goto(`${server.base}${p}`);
        assert.equal(resp.status(), 200, `${p} answered ${resp.status()}`);
      }, { fatal: false });
      await ok(`${p}: axe-core finds no WCAG 2.1 A/AA violations`, () => axe(page), { fatal: false });
      await ok(`${p}: no horizontal scrolling at 360 px`, () => reflow(page), { fatal: false });
    }
    await ok('the map of devices draws every located device and names the count', async () => {
      await page.goto(`${server.base}/staff/sensors/map?type=FloodMonitoring`);
      await page.waitForFunction(() => /\d/.test(document.querySelector('#map-summary')?.textContent || ''), null, { timeout: 15_000 });
      const text = await page.locator('#map-summary').innerText();
      assert.match(text, /20/, `the 20 river gauges: ${text}`);
      assert.equal(await page.locator('#device-map.leaflet-container').count(), 1);
    }, { fatal: false });
    await ok('notification settings refuse SMS without a phone, in words, and then save', async () => {
      await page.goto(`${server.base}/account/notifications`);
      await page.locator('input[name="t.road_works.sms"]').check();
      await navigate(page, () => page.locator('main form[action="/account/notifications"] button[type="submit"]').click());
      assert.equal(await page.locator('#phone-error').count(), 1, 'the phone field says what is missing');
      await axe(page);
      await page.fill('#phone', '041 123 456');
      await navigate(page, () => page.locator('main form[action="/account/notifications"] button[type="submit"]').click());
      assert.equal(new URL(page.url()).search, '?saved');
      assert.equal(await page.locator('input[name="t.road_works.sms"]').isChecked(), true);
    }, { fatal: false });
    await ok('a staff notice goes out and its page shows the delivery by channel', async () => {
      await page.goto(`${server.base}/staff/notices`);
      await page.fill('#title_sl', 'Zapora Ormoške ceste');
      await page.fill('#body_sl', 'Ormoška cesta bo jutri zaprta od 8. do 14. ure.');
      await page.selectOption('#topic', 'road_works');
      await navigate(page, () => page.locator('main form[action="/staff/notices"] button[type="submit"]').click());
      assert.match(new URL(page.url()).pathname, /^\/staff\/notices\/.+/);
      assert.match(await mainText(page), /Zapora Ormoške ceste/);
      await axe(page);
    }, { fatal: false });
    await ok('a CSV of devices uploads with a progress bar that ends with the refused rows', async () => {
      const file = path.join(os.tmpdir(), `obcina-import-${crypto.randomBytes(4).toString('hex')}.csv`);
      const rows = ['key,type,name,lon,lat,feeder'];
      for (let i = 1; i <= 300; i += 1) rows.push(`walk-lum-${i},Streetlight,Svetilka ${i},15.87,46.42,RP-07`);
      rows.push('walk-bad,Toaster,Opekač,15.87,46.42,RP-07');
      fs.writeFileSync(file, rows.join('\n'));
      await page.goto(`${server.base}/staff/sensors/import`);
      await page.setInputFiles('#file', file);
      await navigate(page, () => page.locator('main form[data-import-form] button[type="submit"]').click());
      assert.match(new URL(page.url()).pathname, /^\/staff\/sensors\/import\/.+/);
      assert.equal(await page.locator('progress#import-bar').getAttribute('max'), '301');
      await page.waitForFunction(() => document.querySelector('#import-bar')?.value === 301, null, { timeout: 30_000 });
      await page.waitForSelector('main h3');
      await axe(page);
      fs.unlinkSync(file);
    }, { fatal: false });
    await ok('a crisis alert is refused with its errors named, then issued, and its pages pass axe-core', async () => {
      await page.goto(`${server.base}/staff/alerts/new`);
      const fill = { event_sl: 'Neurje', event_en: 'Storm', headline_sl: 'Neurje s točo nad Ptujem', headline_en: 'Hail storm over Ptuj',
        description_sl: 'Pričakujemo močno točo.', description_en: 'Heavy hail is expected.', instruction_sl: 'Umaknite vozila pod streho.',
        instruction_en: 'Put vehicles under a roof.', area_desc_sl: 'Mestno jedro', area_desc_en: 'The old town' };
      for (const [id, v] of Object.entries(fill)) await page.fill(`#${id}`, v);
      await page.check('input[name=category][value=Met]');
      // A click on the map adds a point to the polygon field and chooses the polygon.
      await page.locator('[data-area-map].leaflet-container').click();
      assert.match(await page.inputValue('#area_polygon'), /^\d+\.\d+,\d+\.\d+$/);
      assert.equal(await page.isChecked('input[name=shape][value=polygon]'), true);
      await page.fill('#area_polygon', '46.42,15.87 46.43,15.88');
      await navigate(page, () => page.locator('main form[action="/staff/alerts/new"] button[type="submit"]').click());
      assert.equal(await page.locator('#area_polygon[aria-invalid="true"]').count(), 1, 'the polygon is marked invalid');
      assert.match(await page.locator('#area_polygon-error').innerText(), /\S/);
      await axe(page);
      await page.fill('#area_polygon', '46.4230,15.8660 46.4240,15.8760 46.4180,15.8790 46.4160,15.8680');
      await navigate(page, () => page.locator('main form[action="/staff/alerts/new"] button[type="submit"]').click());
      const id = new URL(page.url()).pathname.replace('/staff/alerts/', '');
      assert.match(id, /^ptuj-\d{8}-[0-9a-f]{8}$/, page.url());
      await axe(page);
      await reflow(page);
      for (const p of [`/staff/alerts/${id}/update`, `/alerts/${id}`]) {
        const resp = await page.goto(`${server.base}${p}`);
        assert.equal(resp.status(), 200, p);
        await axe(page);
        await reflow(page);
      }
      const cap = await fetch(`${server.base}/alerts/cap/${id}.xml`);
      assert.equal(cap.headers.get('content-type'), 'application/cap+xml');
    }, { fatal: false });
    await ok('a missing page is a translated 404 that passes axe-core', async () => {
      const resp = await page.goto(`${server.base}/ni-take-strani`);
      assert.equal(resp.status(), 404);
      assert.equal(await htmlLang(page), 'sl');
      await axe(page);
    }, { fatal: false });
  } catch (e) {
    if (!(e instanceof WalkAborted)) throw e;
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- fault reports

/**
 * A visitor reports a fault without the map (typed address, keyboard only),
 * staff of the owning company change its status with an answer, and the
 * visitor sees the new status; every page through axe-core and reflow.
 */
async function reportsWalk(browser, server) {
  const label = 'reports';
  const ok = (name, fn, opts) => check(label, name, fn, opts);
  const visitor = await browser.newContext({ ...DEVICES.phone, locale: 'sl-SI', bypassCSP: true });
  const staffContext = await browser.newContext({ ...DEVICES.desktop, locale: 'sl-SI', bypassCSP: true });
  visitor.setDefaultTimeout(15_000);
  staffContext.setDefaultTimeout(15_000);
  const page = await visitor.newPage();
  const staff = await staffContext.newPage();
  const checks = (p, what) => pageChecks(label, p, what);
  let id;
  try {
    await ok('the list and map of reports open', async () => {
      const resp = await page.goto(`${server.base}/reports`);
      assert.equal(resp.status(), 200);
      assert.ok(await page.locator('ol.reports li').count() >= 5, 'the demo reports are listed');
      await page.locator('#report-map.leaflet-container').waitFor();
    });
    await checks(page, '/reports');
    await ok('the report form opens from the list', async () => {
      await navigate(page, () => page.locator('main a[href="/reports/new"]').first().click());
      assert.equal(new URL(page.url()).pathname, '/reports/new');
    });
    await checks(page, '/reports/new');
    await ok('a report without a description comes back with the error named', async () => {
      await page.selectOption('#category', 'street_light');
      await page.fill('#address', 'Prešernova ulica 5');
      await page.fill('#email', 'walk.reporter@example.si');
      await navigate(page, () => page.locator('main form[data-report-form] button[type="submit"]').click());
      assert.equal(await page.locator('#description-error').count(), 1);
      assert.equal(await page.locator('#description').getAttribute('aria-invalid'), 'true');
    });
    await checks(page, '/reports/new with errors');
    await ok('the visitor reports by keyboard, with a typed address and no map', async () => {
      await page.locator('#category').focus();
      await page.selectOption('#category', 'street_light');
      // Only the chosen category's questions are shown.
      assert.equal(await page.locator('fieldset[data-category="pothole"]').isVisible(), false);
      await page.locator('input[name="attr.street_light.state"][value="off"]').check();
      await page.locator('#description').focus();
      await page.keyboard.type('Svetilka pred hišo ne sveti.');
      await page.fill('#address', 'Prešernova ulica 5');
      await page.fill('#email', 'walk.reporter@example.si');
      await navigate(page, () => page.locator('main form[data-report-form] button[type="submit"]').press('Enter'));
      const m = /^\/reports\/(\d+)$/.exec(new URL(page.url()).pathname);
      assert.ok(m, page.url());
      id = m[1];
      assert.match(await page.locator('[role="status"]').innerText(), new RegExp(id));
      assert.equal((await page.locator('#report-status').innerText()).trim(), 'Prejeto');
    });
    await checks(page, '/reports/{id} after sending');

    const email = `razsvetljava.${crypto.randomBytes(4).toString('hex')}@example.si`;
    const password = `javna razsvetljava ${crypto.randomBytes(4).toString('hex')}`;
    await ok('staff of the lighting company sign in with 2FA', () => signInStaff(staff, server, email, password, LIGHTING));
    await ok('the report is in the staff queue', async () => {
      const resp = await staff.goto(`${server.base}/staff/reports?status=open`);
      assert.equal(resp.status(), 200);
      assert.equal(await staff.locator(`main a[href="/staff/reports/${id}"]`).count(), 1);
    });
    await checks(staff, '/staff/reports');
    await ok('staff set the status to in progress with a public answer', async () => {
      await navigate(staff, () => staff.locator(`main a[href="/staff/reports/${id}"]`).click());
      await checks(staff, '/staff/reports/{id}');
      await staff.selectOption('#new-status', 'in_progress');
      await staff.fill('#answer', 'Ekipa pride jutri.');
      await navigate(staff, () => staff.locator(`main form[action="/staff/reports/${id}/status"] button[type="submit"]`).click());
      assert.equal(new URL(staff.url()).pathname, `/staff/reports/${id}`);
      assert.equal((await staff.locator('#report-status').innerText()).trim(), 'V delu');
    });
    await ok('the reporter\'s contact page opens (audited)', async () => {
      const resp = await staff.goto(`${server.base}/staff/reports/${id}/contact`);
      assert.equal(resp.status(), 200);
      assert.match(await mainText(staff), /walk\.reporter@example\.si/);
    });
    await checks(staff, '/staff/reports/{id}/contact');
    await ok('the reporter sees the new status and the answer', async () => {
      await page.reload();
      assert.equal((await page.locator('#report-status').innerText()).trim(), 'V delu');
      assert.match(await mainText(page), /Ekipa pride jutri\./);
      assert.doesNotMatch(await mainText(page), /walk\.reporter/);
    });
    await checks(page, '/reports/{id} after the change');
  } catch (e) {
    if (!(e instanceof WalkAborted)) throw e;
  } finally {
    await visitor.close();
    await staffContext.close();
  }
}

// ---------------------------------------------------------------- a citizen's journeys

/** The owner of the street lights in the reports routing, and the department of the staff who answer them. */
const LIGHTING = 'Javne službe Ptuj d.o.o.';

/** A staff member made with `obcina user add`, signed in, 2FA turned on (staff pages need it). */
async function signInStaff(page, server, email, password, department) {
  await addUser(server, email, password, 'staff', department);
  await page.goto(`${server.base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await navigate(page, () => page.locator('main form[action="/login"] button[type="submit"]').click());
  await page.goto(`${server.base}/account/2fa`);
  await page.fill('#password', password);
  await navigate(page, () => page.locator('main form[action="/account/reauth"] button[type="submit"]').click());
  const secret = (await page.locator('code.secret').innerText()).trim();
  const { code } = await freshTotp(secret);
  await page.fill('#code', code);
  await navigate(page, () => page.locator('main form[action="/account/2fa/enable"] button[type="submit"]').click());
  await page.locator('ul.codes li').first().waitFor();
}

/** Register, confirm from the e-mail in the server log, and sign in (the forms themselves are checked by the language walks). */
async function registerCitizen(page, server, email, password) {
  await page.goto(`${server.base}/register`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await navigate(page, () => page.locator('main form[action="/register"] button[type="submit"]').click());
  const mail = await confirmationLink(server, email);
  assert.equal((await page.goto(`${server.base}/confirm?token=${mail.token}`)).status(), 200);
  await page.goto(`${server.base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await navigate(page, () => page.locator('main form[action="/login"] button[type="submit"]').click());
  await page.locator('header.site form[action="/logout"]').waitFor();
}

/**
 * One signed-in citizen through issue 4: a fault report that staff refuse
 * (first without the reason it needs) and whose refusal reaches the inbox;
 * a survey answered in one tab and refused in another; the demo
 * participatory budget's 2027 ballot (no EMŠO, too many projects, cast, a
 * second ballot refused), closed and published by staff, its results
 * counting the ballot. Every page through axe-core and the reflow check.
 */
async function citizenWalk(browser, server) {
  const label = 'citizen journeys';
  const ok = (name, fn, opts) => check(label, name, fn, opts);
  const tr = (key) => t('sl', key);
  const base = server.base;
  const citizen = await browser.newContext({ ...DEVICES.desktop, locale: 'sl-SI', timezoneId: 'Europe/Ljubljana', bypassCSP: true });
  const staffContext = await browser.newContext({ ...DEVICES.phone, locale: 'sl-SI', timezoneId: 'Europe/Ljubljana', bypassCSP: true });
  citizen.setDefaultTimeout(15_000);
  staffContext.setDefaultTimeout(15_000);
  const page = await citizen.newPage();
  const staff = await staffContext.newPage();
  const checks = (p, what) => pageChecks(label, p, what);
  const hex = crypto.randomBytes(4).toString('hex');
  const email = `vesna.${hex}@example.si`;
  const password = `grajski hrib nad dravo ${hex}`;
  try {
    await ok('a citizen registers, confirms the address and signs in', () => registerCitizen(page, server, email, password));
    await ok('a staff member of the lighting company signs in with 2FA', () =>
      signInStaff(staff, server, `javne.sluzbe.${hex}@example.si`, `svetilke ob dravi ${hex}`, LIGHTING));

    // -- a fault report, refused with a reason, and the message in the inbox
    let id;
    await ok('the signed-in citizen files a fault report, with no e-mail to give', async () => {
      await page.goto(`${base}/reports/new`);
      assert.equal(await page.locator('#email').count(), 0, 'a signed-in citizen is asked for an e-mail address');
      await page.selectOption('#category', 'street_light');
      await page.locator('input[name="attr.street_light.state"][value="flickering"]').check();
      await page.fill('#description', 'Svetilka na vogalu utripa vso noč.');
      await page.fill('#address', 'Prešernova ulica 5');
      await navigate(page, () => page.locator('main form[data-report-form] button[type="submit"]').click());
      const m = /^\/reports\/(\d+)$/.exec(new URL(page.url()).pathname);
      assert.ok(m, page.url());
      id = m[1];
    });
    await ok('staff refuse it without a reason: the form comes back with the error beside the reason', async () => {
      await staff.goto(`${base}/staff/reports/${id}`);
      await staff.selectOption('#new-status', 'rejected');
      await staff.fill('#answer', 'Svetilka ni občinska.');
      const resp = await navigate(staff, () => staff.locator(`main form[action="/staff/reports/${id}/status"] button[type="submit"]`).click());
      assert.equal(resp.status(), 422);
      assert.equal(await staff.getAttribute('#reason', 'aria-invalid'), 'true');
      assert.ok(((await staff.getAttribute('#reason', 'aria-describedby')) || '').split(/\s+/).includes('reason-error'));
      assert.ok(await staff.locator('#reason-error').isVisible(), 'the reason says what is missing');
      assert.equal(await staff.locator('#form-errors[role="alert"] a[href="#reason"]').count(), 1, 'the summary links to the reason');
      assert.equal(await staff.inputValue('#new-status'), 'rejected', 'the chosen status is kept');
      assert.equal(await staff.inputValue('#answer'), 'Svetilka ni občinska.', 'the answer is kept');
    });
    await checks(staff, '/staff/reports/{id} with errors');
    await ok('staff refuse it with a reason', async () => {
      await staff.fill('#reason', 'Svetilka je v zasebni lasti.');
      await navigate(staff, () => staff.locator(`main form[action="/staff/reports/${id}/status"] button[type="submit"]`).click());
      assert.equal(new URL(staff.url()).pathname, `/staff/reports/${id}`);
      assert.equal((await staff.locator('#report-status').innerText()).trim(), tr('report-status-rejected'));
    });
    await ok('the citizen reads the refusal, the answer and the reason in the inbox, in Slovenian', async () => {
      const want = [tr('notify-report-rejected'), 'Svetilka ni občinska.', `${tr('notify-report-reason')}: Svetilka je v zasebni lasti.`, id];
      const until = Date.now() + 15_000;
      let text = '';
      while (Date.now() < until) {
        await page.goto(`${base}/account/inbox`);
        text = await mainText(page);
        if (want.every((w) => text.includes(w))) return;
        await sleep(500);
      }
      throw new Error(`the inbox does not say ${JSON.stringify(want)}: ${text}`);
    });
    await checks(page, '/account/inbox');

    // -- a survey answered once; a second answer from another tab is refused
    const surveyUrl = `${base}${(await participationPages(server))[2]}`;
    const second = await citizen.newPage();
    const answer = async (p) => {
      await p.locator('input[name="q0"]').first().check();
      await p.locator('input[name="q1_0"]').check();
      await p.locator('input[name="q2"][value="4"]').check();
      await p.fill('#q3', 'Več pitnikov.');
      return navigate(p, () => p.locator('main form button[type="submit"]').click());
    };
    await ok('the open survey is answered', async () => {
      await page.goto(surveyUrl);
      await second.goto(surveyUrl);
      await answer(page);
      assert.equal(new URL(page.url()).search, '?thanks');
    });
    await ok('the same survey sent again from a second tab is refused, in words', async () => {
      const resp = await answer(second);
      assert.equal(resp.status(), 409);
      assert.ok((await mainText(second)).includes(tr('participation-survey-answered')), await mainText(second));
      assert.equal(await second.locator('main form button[type="submit"]').count(), 0, 'no form for a second answer');
    });
    await checks(second, 'survey refused a second time');

    // -- the participatory budget: the 2027 demo ballot
    const cycles = await (await fetch(`${base}/api/v1/budget/cycles`)).json();
    const open = cycles.find((c) => c.phase === 'voting');
    await ok('the demo budget has a cycle open for voting', () => assert.ok(open, JSON.stringify(cycles.map((c) => [c.year, c.phase]))));
    const vote = `${base}/budget/${open.id}/vote`;
    await ok('the cycle open for voting has its page', async () => assert.equal((await page.goto(`${base}/budget/${open.id}`)).status(), 200));
    await checks(page, '/budget/{id} while voting');
    await ok('the cycle page leads to the ballot', async () => {
      await navigate(page, () => page.locator(`main a[href="/budget/${open.id}/vote"]`).click());
      assert.equal(page.url(), vote);
    });
    await ok('without an EMŠO the ballot says what is missing and where to add it', async () => {
      assert.equal((await page.locator('main [role="alert"] p').first().innerText()).trim(), tr('error-no-emso'));
      assert.equal(await page.locator('main form[action$="/vote"]').count(), 0, 'no ballot to fill');
    });
    await checks(page, 'ballot without an EMŠO');
    await ok('the citizen adds the EMŠO and the address in the profile', async () => {
      await navigate(page, () => page.locator('main [role="alert"] a[href="/account"]').click());
      await page.fill('#name', 'Vesna Kovač');
      await page.fill('#address', 'Vošnjakova ulica 3, 2250 Ptuj');
      await page.fill('#emso', emso(50));
      await navigate(page, () => page.locator('main form[action="/account"] button[type="submit"]').click());
      assert.equal((await page.locator('main .notice[role="status"]').innerText()).trim(), tr('account-saved'));
    });
    let district;
    await ok('the ballot of a district opens', async () => {
      await page.goto(vote);
      const tile = page.locator('main ul.tiles a').first();
      district = (await tile.innerText()).trim();
      await navigate(page, () => tile.click());
      assert.ok((await page.locator('main input[name="project"]').count()) >= 4, 'at least four projects to choose from');
    });
    await checks(page, 'ballot');
    const stale = await citizen.newPage();
    await stale.goto(page.url());
    const boxes = page.locator('main input[name="project"]');
    const cast = () => navigate(page, () => page.locator('main form[action$="/vote"] button[type="submit"]').click());
    await ok('four projects are too many: the count and the limit, tied to the choices', async () => {
      for (let i = 0; i < 4; i += 1) await boxes.nth(i).check();
      const resp = await cast();
      assert.equal(resp.status(), 422);
      const err = (await page.locator('#projects-error').innerText()).trim();
      assert.match(err, /\b4\b/, err);
      assert.match(err, /\b3\b/, err);
      assert.ok(((await page.getAttribute('fieldset#projects', 'aria-describedby')) || '').split(/\s+/).includes('projects-error'));
      assert.equal(await boxes.first().getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#form-errors[role="alert"] a[href="#projects"]').count(), 1, 'the summary links to the choices');
      assert.equal(await page.locator('main input[name="project"]:checked').count(), 4, 'the choices are kept');
    });
    await checks(page, 'ballot with too many projects');
    await ok('two projects are cast and the vote is confirmed', async () => {
      await boxes.nth(2).uncheck();
      await boxes.nth(3).uncheck();
      await cast();
      assert.equal(new URL(page.url()).pathname, `/budget/${open.id}/voted`);
      assert.equal((await page.locator('main [role="status"]').innerText()).trim(), tr('budget-vote-counted'));
    });
    await checks(page, 'ballot cast');
    await ok('a second ballot from a form still open is refused, on a page that says so', async () => {
      await stale.locator('main input[name="project"]').nth(2).check();
      await navigate(stale, () => stale.locator('main form[action$="/vote"] button[type="submit"]').click());
      const where = new URL(stale.url());
      assert.equal(`${where.pathname}${where.search}`, `/budget/${open.id}/voted?again`);
      assert.equal((await stale.locator('main h1').innerText()).trim(), tr('budget-voted-again'));
      const alert = await stale.locator('main [role="alert"]').innerText();
      assert.ok(alert.includes(tr('error-already-voted')) && alert.includes(tr('budget-second-ballot-refused')), alert);
    });
    await checks(stale, 'second ballot refused');
    await ok('staff close the voting and publish the results', async () => {
      for (const phase of ['counting', 'results']) {
        await staff.goto(`${base}/staff/budget/${open.id}`);
        await navigate(staff, () => staff.locator(`main form[action="/staff/budget/${open.id}/advance"] button[type="submit"]`).click());
        const c = await (await fetch(`${base}/api/v1/budget/cycles/${open.id}`)).json();
        assert.equal(c.phase, phase);
      }
    });
    await checks(staff, '/staff/budget/{id} after publishing');
    await ok('the published results count the ballot in its district', async () => {
      const resp = await page.goto(`${base}/budget/${open.id}/results`);
      assert.equal(resp.status(), 200);
      const row = page.locator('main table tbody tr', { has: page.locator('th', { hasText: district }) }).first();
      const cells = (await row.locator('td').allInnerTexts()).map((c) => c.trim());
      assert.deepEqual(cells.slice(0, 3), ['1', '0', '1'], `online, paper, ballots in ${district}: ${cells}`);
    });
    await checks(page, '/budget/{id}/results after publishing');
  } catch (e) {
    if (!(e instanceof WalkAborted)) throw e;
  } finally {
    await citizen.close();
    await staffContext.close();
  }
}

// ---------------------------------------------------------------- events

/**
 * An organiser submits an event (first with a missing English title), staff
 * publish it, and a German visitor finds it on /events, on its page and in
 * /events.ics. Every page on the way through axe-core.
 */
async function eventsWalk(browser, server) {
  const label = 'events';
  const ok = (name, fn, opts) => check(label, name, fn, opts);
  const organiserContext = await browser.newContext({ ...DEVICES.desktop, locale: 'sl-SI', bypassCSP: true });
  const staffContext = await browser.newContext({ ...DEVICES.phone, locale: 'sl-SI', bypassCSP: true });
  const visitorContext = await browser.newContext({ ...DEVICES.phone, locale: 'de-DE', bypassCSP: true });
  for (const c of [organiserContext, staffContext, visitorContext]) c.setDefaultTimeout(15_000);
  const page = await organiserContext.newPage();
  const staff = await staffContext.newPage();
  const visitor = await visitorContext.newPage();
  const checks = (p, what) => pageChecks(label, p, what);
  const suffix = crypto.randomBytes(3).toString('hex');
  const title = `Večer ljudskih pesmi ${suffix}`;
  let id;
  try {
    await ok('an organiser registers, confirms and signs in', async () => {
      const email = `organizator.${suffix}@example.si`;
      const password = `ptujski grad ${crypto.randomBytes(4).toString('hex')}`;
      const r = await fetch(`${server.base}/api/v1/accounts`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
      });
      assert.equal(r.status, 202);
      const { link } = await confirmationLink(server, email);
      assert.equal((await fetch(link)).status, 200);
      await page.goto(`${server.base}/login`);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await navigate(page, () => page.locator('main form[action="/login"] button[type="submit"]').click());
    });
    await ok('the submission form opens from /events', async () => {
      await page.goto(`${server.base}/events`);
      await navigate(page, () => page.locator('main a[href="/events/new"]').first().click());
      assert.equal(new URL(page.url()).pathname, '/events/new');
    });
    await checks(page, '/events/new');
    const day = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    await ok('without an English title the form comes back with the error named', async () => {
      await page.fill('[id="title.sl"]', title);
      await page.fill('[id="description.sl"]', 'Pevski zbori iz Ptuja in okolice; vstop prost.');
      await page.fill('[id="description.en"]', 'Choirs from Ptuj and around; admission free.');
      await page.fill('[id="title.de"]', `Abend der Volkslieder ${suffix}`);
      await page.fill('[id="description.de"]', 'Chöre aus Ptuj und Umgebung; Eintritt frei.');
      await page.selectOption('#genre', 'music');
      await page.selectOption('#place_id', { label: 'Minoritski samostan Ptuj' });
      await page.fill('[id="organiser.name"]', 'Pevsko društvo Ptuj');
      await page.fill('#starts_at', `${day}T19:00`);
      await page.fill('#ends_at', `${day}T21:00`);
      await page.locator('input[name="access_wheelchair"]').check();
      // The browser would stop the empty required field itself: this checks the server's answer.
      await page.locator('main form.narrow').evaluate((f) => { f.noValidate = true; });
      const resp = await navigate(page, () => page.locator('main form button[type="submit"]').click());
      assert.equal(resp.status(), 422);
      assert.equal(await page.locator('[id="title.en-error"]').count(), 1);
      assert.equal(await page.locator('[id="title.en"]').getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator('[role="alert"]').innerText(), new RegExp(t('sl', 'field-required')));
    });
    await checks(page, '/events/new with errors');
    await ok('with the English title it is submitted for review', async () => {
      await page.fill('[id="title.en"]', `An evening of folk songs ${suffix}`);
      await navigate(page, () => page.locator('main form button[type="submit"]').click());
      const m = /^\/events\/([0-9a-f-]{36})$/.exec(new URL(page.url()).pathname);
      assert.ok(m, page.url());
      id = m[1];
      assert.match(await page.locator('[role="status"]').innerText(), new RegExp(t('sl', 'events-flash-submitted').slice(0, 20)));
      assert.equal((await fetch(`${server.base}/api/v1/events/${id}`)).status, 404, 'not public before review');
    });
    await checks(page, '/events/{id} waiting for review');

    await ok('staff sign in with 2FA and find it in the review queue', async () => {
      const email = `kultura.${suffix}@example.si`;
      const password = `minoritski samostan ${crypto.randomBytes(4).toString('hex')}`;
      await signInStaff(staff, server, email, password, 'Urad za družbene dejavnosti');
      const resp = await staff.goto(`${server.base}/staff/events`);
      assert.equal(resp.status(), 200);
      assert.equal(await staff.locator(`main a[href="/events/${id}"]`).count(), 1);
    });
    await checks(staff, '/staff/events');
    await ok('staff publish it', async () => {
      await navigate(staff, () => staff.locator(`main a[href="/events/${id}"]`).click());
      await checks(staff, '/events/{id} under review');
      await navigate(staff, () => staff.locator(`main form[action="/events/${id}/publish"] button[type="submit"]`).click());
      assert.equal(new URL(staff.url()).pathname, `/events/${id}`);
      assert.match(await staff.locator('[role="status"]').innerText(), new RegExp(t('sl', 'events-flash-published')));
    });

    await ok('a German visitor finds it on /events and on its page', async () => {
      await visitor.goto(`${server.base}/lang/de?next=%2Fevents`);
      assert.equal(new URL(visitor.url()).pathname, '/events');
      assert.equal(await htmlLang(visitor), 'de');
      assert.equal(await visitor.locator(`main a[href="/events/${id}"]`).first().innerText(), `Abend der Volkslieder ${suffix}`);
    });
    await checks(visitor, 'de /events');
    await ok('its page is in German, with the place and the genre', async () => {
      await navigate(visitor, () => visitor.locator(`main a[href="/events/${id}"]`).first().click());
      const text = await mainText(visitor);
      assert.match(text, /Minoritski samostan Ptuj/);
      assert.match(text, /Musik/);
    });
    await checks(visitor, 'de /events/{id}');
    await ok('it is in the iCalendar feed with its UID and URL', async () => {
      const r = await fetch(`${server.base}/events.ics`);
      assert.equal(r.headers.get('content-type'), 'text/calendar; charset=utf-8');
      const ics = (await r.text()).replace(/\r\n /g, '');
      assert.match(ics, new RegExp(`UID:event-${id}@`));
      assert.match(ics, new RegExp(`URL:${server.base.replace(/[.]/g, '\\.')}/events/${id}\r\n`));
      assert.match(ics, new RegExp(`SUMMARY:${title}\r\n`));
    });
  } catch (e) {
    if (!(e instanceof WalkAborted)) throw e;
  } finally {
    await organiserContext.close();
    await staffContext.close();
    await visitorContext.close();
  }
}

// ---------------------------------------------------------------- the map

/**
 * The map on a phone: layers switch off and on by keyboard (Tab to a box,
 * Space), markers are reached by Tab and open with Enter, the list view is
 * sorted by distance, the nearest defibrillator takes two taps with a
 * mocked position (the link, then "share"), and the German pages; every map
 * page through axe-core and reflow. Tiles are answered empty (no internet).
 */
async function mapWalk(browser, server) {
  const label = 'map';
  const ok = (name, fn, opts) => check(label, name, fn, opts);
  const context = await browser.newContext({ ...DEVICES.phone, locale: 'sl-SI', bypassCSP: true });
  context.setDefaultTimeout(15_000);
  await context.grantPermissions(['geolocation'], { origin: server.base });
  // At the bus station's entrance.
  await context.setGeolocation({ latitude: 46.42345, longitude: 15.8776 });
  await context.route(/tile\.openstreetmap\.org/, (r) => r.fulfill({ status: 204, body: '' }));
  const page = await context.newPage();
  const checks = (what) => pageChecks(label, page, what);
  const shown = (code, on) => page.waitForFunction(
    ([c, want]) => (document.querySelector('[data-places-map]')?.dataset.shown || '').split(' ').includes(c) === want,
    [code, on],
  );
  try {
    await ok('/map opens with the default layers on the map', async () => {
      const resp = await page.goto(`${server.base}/map`);
      assert.equal(resp.status(), 200);
      await shown('aed', true);
      const n = await page.locator('.leaflet-marker-icon').count();
      assert.ok(n >= 40, `${n} markers`);
    });
    await checks('/map');
    await ok('a layer switches off and on by keyboard (Space on its box)', async () => {
      const wifi = () => page.locator('.leaflet-marker-icon .place-wifi').count();
      const before = await wifi();
      assert.ok(before >= 23, `${before} Wi-Fi markers`);
      await page.locator('#layer-wifi').focus();
      await page.keyboard.press('Space');
      await shown('wifi', false);
      assert.equal(await wifi(), 0);
      assert.match(await page.locator('[data-list-link]').getAttribute('href'), /^\/map\/list\?layer=aed&(?!.*wifi)/);
      await page.keyboard.press('Space');
      await shown('wifi', true);
      assert.equal(await wifi(), before);
    });
    await ok('a marker is reached by Tab from the map and opens its popup with Enter', async () => {
      await page.locator('#places-map').focus();
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement.className);
      assert.match(focused, /leaflet-(marker-icon|control)/, focused);
      await page.locator('.leaflet-marker-icon').first().focus();
      await page.keyboard.press('Enter');
      await page.locator('.leaflet-popup-content a').waitFor();
    });
    await ok('the list view: the same places, nearest first', async () => {
      const resp = await page.goto(`${server.base}/map/list?layer=aed&lat=46.42345&lon=15.8776`);
      assert.equal(resp.status(), 200);
      assert.equal((await page.locator('ol.places h3').first().innerText()).trim(), 'AED Avtobusna postaja');
      assert.equal(await page.locator('ol.places > li').count(), 8);
    });
    await checks('/map/list');
    await ok('nearest defibrillator, tap 1: the link on the map page', async () => {
      await page.goto(`${server.base}/map`);
      await navigate(page, () => page.locator('main a[href="/map/aed"]').tap());
      assert.equal(new URL(page.url()).pathname, '/map/aed');
    });
    await ok('nearest defibrillator, tap 2: share the position', async () => {
      await page.locator('[data-find-aed]').waitFor({ state: 'visible' });
      await Promise.all([page.waitForURL(/\/map\/aed\?lat=/), page.locator('[data-find-aed]').tap()]);
      const nearest = (await page.locator('[data-nearest]').innerText()).replace(/\s+/g, ' ');
      assert.match(nearest, /AED Avtobusna postaja/);
      assert.match(nearest, /Oddaljenost: \d+ m/);
      assert.match(nearest, /Pojdite proti: [a-zčšž-]+ \(\d+°\)/);
      assert.match(await page.locator('[data-nearest] a[href^="geo:"]').getAttribute('href'), /^geo:46\.4233/);
    });
    await checks('/map/aed');
    await page.goto(`${server.base}/lang/de?next=%2Fmap`);
    for (const p of ['/map', '/map/list?layer=heritage&layer=sights', '/map/aed?lat=46.4199&lon=15.8706', '/map/aed', '/places/heritage-grad', '/places/path-drava']) {
      await ok(`de ${p}: German, axe-core clean, no horizontal scrolling`, async () => {
        const resp = await page.goto(`${server.base}${p}`);
        assert.equal(resp.status(), 200);
        assert.equal(await htmlLang(page), 'de');
        if (p.startsWith('/places/')) await page.locator('.leaflet-marker-icon').first().waitFor();
        await axe(page);
        await reflow(page);
      }, { fatal: false });
    }
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- bookings

/** A local date in Ljubljana `days` from today, YYYY-MM-DD. */
function ljubljanaDate(days) {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Ljubljana' });
}

/**
 * A citizen books the town hall's meeting room, gets the confirmation and
 * the calendar file; a second tab that still offers the same slot is told,
 * in words, that it was just taken; the booking is cancelled. Every page
 * through axe-core and reflow.
 */
async function bookingsWalk(browser, server) {
  const label = 'bookings';
  const ok = (name, fn, opts) => check(label, name, fn, opts);
  const context = await browser.newContext({ ...DEVICES.desktop, locale: 'sl-SI', bypassCSP: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const other = await context.newPage();
  const tr = (key) => t('sl', key);
  const checks = (p, what) => pageChecks(label, p, what);
  const room = `/bookings/mestna-hisa-sejna-soba?date=${ljubljanaDate(3)}`;
  try {
    const email = `najem.${crypto.randomBytes(4).toString('hex')}@example.si`;
    const password = `sejna soba ob dravi ${crypto.randomBytes(4).toString('hex')}`;
    await ok('a citizen signs in', async () => {
      // Registered and confirmed through the API (the citizen walks do it in the browser).
      const post = (path, body) => fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.base }, body: JSON.stringify(body) });
      assert.equal((await post('/api/v1/accounts', { email, password })).status, 202);
      const { token } = await confirmationLink(server, email);
      assert.equal((await post('/api/v1/accounts/confirm', { token })).status, 204);
      await page.goto(`${server.base}/login`);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await navigate(page, () => page.locator('main form[action="/login"] button[type="submit"]').click());
    });
    await ok('the list of bookable spaces opens', async () => {
      const resp = await page.goto(`${server.base}/bookings`);
      assert.equal(resp.status(), 200);
      assert.ok(await page.locator('main a[href="/bookings/mestna-hisa-sejna-soba"]').count() === 1);
    });
    await checks(page, '/bookings');
    let slot;
    await ok('two tabs show the same free slot of the meeting room', async () => {
      for (const p of [page, other]) {
        const resp = await p.goto(`${server.base}${room}`);
        assert.equal(resp.status(), 200);
      }
      slot = await page.locator('#start option').first().getAttribute('value');
      assert.ok(slot, 'a free slot is offered');
      assert.equal(await other.locator(`#start option[value="${slot}"]`).count(), 1);
    });
    await checks(page, '/bookings/{id}');
    let bookingPath;
    await ok('booking the slot confirms it', async () => {
      await page.selectOption('#start', slot);
      await page.selectOption('#slots', '1');
      await navigate(page, () => page.locator('main form[method="post"] button[type="submit"]').click());
      const url = new URL(page.url());
      assert.match(url.pathname, /^\/account\/bookings\/[0-9a-f-]+$/);
      bookingPath = url.pathname;
      assert.ok((await page.locator('[role="status"]').innerText()).includes(tr('bookings-booked')));
    });
    await checks(page, '/account/bookings/{id} after booking');
    await ok('the second tab is told the slot was just taken', async () => {
      await other.selectOption('#start', slot);
      const resp = await navigate(other, () => other.locator('main form[method="post"] button[type="submit"]').click());
      assert.equal(resp.status(), 409);
      assert.ok((await other.locator('[role="alert"]').innerText()).includes(tr('error-booking-slot-taken')), await mainText(other));
    });
    await checks(other, '/bookings/{id} with the conflict');
    await ok('the calendar file downloads', async () => {
      const resp = await page.request.get(`${server.base}${bookingPath}/booking.ics`);
      assert.equal(resp.status(), 200);
      assert.match(resp.headers()['content-type'], /^text\/calendar/);
      assert.match(await resp.text(), /^BEGIN:VCALENDAR\r\n[\s\S]*BEGIN:VEVENT\r\n[\s\S]*STATUS:CONFIRMED\r\n/);
    });
    await ok('the booking is cancelled', async () => {
      await navigate(page, () => page.locator(`main form[action="${bookingPath}/cancel"] button[type="submit"]`).click());
      assert.ok((await page.locator('[role="status"]').innerText()).includes(tr('bookings-cancelled')));
    });
    await checks(page, '/account/bookings/{id} after cancelling');
    await ok('my bookings list it', async () => {
      const resp = await page.goto(`${server.base}/account/bookings`);
      assert.equal(resp.status(), 200);
      assert.ok((await mainText(page)).includes(tr('bookings-status-cancelled')));
    });
    await checks(page, '/account/bookings');
  } catch (e) {
    if (!(e instanceof WalkAborted)) throw e;
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- tourist guide

/** A German visitor on a phone: the guide, three sights ticked, the walking route on the map, the kiosk. */
async function guideWalk(browser, server) {
  const label = 'guide';
  const ok = (name, fn, opts) => check(label, name, fn, opts);
  const context = await browser.newContext({ ...DEVICES.phone, locale: 'de-DE', bypassCSP: true });
  context.setDefaultTimeout(15_000);
  await context.route(/tile\.openstreetmap\.org/, (r) => r.fulfill({ status: 204, body: '' }));
  const page = await context.newPage();
  const checks = (what) => pageChecks(label, page, what);
  try {
    await ok('/guide opens in German with sights to tick', async () => {
      const resp = await page.goto(`${server.base}/guide`);
      assert.equal(resp.status(), 200);
      assert.equal(await htmlLang(page), 'de');
      assert.match(await mainText(page), /Besucherführer/);
      assert.ok((await page.locator('input[name=sight]').count()) >= 6);
    });
    await checks('/guide');
    await ok('building a tourist route in German: three sights, Tuesday at nine', async () => {
      for (const id of ['sight-stolp', 'sight-muzej-grad', 'heritage-orfej']) await page.locator(`input[name=sight][value="${id}"]`).check();
      await page.locator('#date').fill('2027-06-15');
      await page.locator('#start').fill('09:00');
      await page.locator('#hours').fill('3');
      const resp = await navigate(page, () => page.getByRole('button', { name: 'Route erstellen' }).tap());
      assert.equal(resp.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/guide/route');
      assert.match(await mainText(page), /Ihr Rundgang/);
    });
    await ok('the stops in order, with walking times: the museum (open at nine) before the tower (open at ten)', async () => {
      const stops = (await page.locator('[data-stop] h3').allInnerTexts()).map((s) => s.trim());
      assert.equal(stops.length, 3, stops.join(' | '));
      assert.equal(stops[0], 'Regionalmuseum auf der Burg Ptuj', stops.join(' | '));
      assert.ok(stops.indexOf('Stadtturm – Aussichtspunkt') > 0, stops.join(' | '));
      assert.match(await page.locator('[data-stops]').innerText(), /Min\. zu Fuß/);
    });
    await ok('the route is drawn on the map: a line and three numbered marks', async () => {
      await page.waitForFunction(() => document.querySelector('[data-guide-map]')?.dataset.drawn === '3');
      assert.equal(await page.locator('.leaflet-marker-icon .route-stop').count(), 3);
      assert.equal(await page.locator('path.route-line').count(), 1);
    });
    await checks('/guide/route');
    await ok('/guide/kiosk: no sign-in, a start-over button, large targets', async () => {
      const resp = await page.goto(`${server.base}/guide/kiosk`);
      assert.equal(resp.status(), 200);
      assert.equal(await page.locator('a[href^="/login"], a[href^="http"]').count(), 0);
      const box = await page.locator('.kiosk-restart').boundingBox();
      assert.ok(box && box.height >= 48, JSON.stringify(box));
      assert.equal(await page.locator('body').getAttribute('data-idle-seconds'), '120');
    });
    await checks('/guide/kiosk');
    await ok('the kiosk\'s route: drawn on the map, still no outbound link (the attribution as text)', async () => {
      const resp = await page.goto(`${server.base}/guide/route?kiosk=1&sight=sight-muzej-grad&sight=heritage-orfej&date=2027-06-15&start=09:00&hours=3`);
      assert.equal(resp.status(), 200);
      await page.waitForFunction(() => document.querySelector('[data-guide-map]')?.dataset.drawn === '2');
      assert.equal(await page.locator('a[href^="http"], a[href^="/login"]').count(), 0);
      assert.match(await page.locator('.leaflet-control-attribution').innerText(), /OpenStreetMap/);
    });
    await checks('/guide/route (kiosk)');
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- visitor pages

/** The public environment page and the display board, in all four languages, on a phone and a wide screen. */
/** The demo participatory budget's public pages: the cycle, its projects, one project, the results. */
async function budgetPages(server) {
  const cycles = await (await fetch(`${server.base}/api/v1/budget/cycles`)).json();
  const c = cycles.find((x) => x.phase === 'results');
  if (!c) return ['/budget'];
  const projects = await (await fetch(`${server.base}/api/v1/budget/cycles/${c.id}/projects`)).json();
  return ['/budget', `/budget/${c.id}`, `/budget/${c.id}/projects`, `/budget/projects/${projects[0].id}`, `/budget/${c.id}/results`];
}

async function visitorWalk(browser, server) {
  const label = 'visitor';
  const ok = (name, fn, opts) => check(label, name, fn, opts);
  // The demo flood exercise on the Drava: its last message.
  const demoAlert = (await (await fetch(`${server.base}/api/v1/alerts`)).json()).items.find((a) => a.identifier.includes('vaja-drava'))?.identifier;
  const closedResults = (await participationPages(server))[3];
  const demoEvent = (await (await fetch(`${server.base}/api/v1/events?genre=tradition`)).json()).items[0]?.id;
  for (const [device, size] of Object.entries(DEVICES)) {
    const context = await browser.newContext({ ...size, locale: 'sl-SI', bypassCSP: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    try {
      for (const lang of ['sl', 'en', 'de', 'it']) {
        await page.goto(`${server.base}/lang/${lang}?next=%2F`);
        const budget = await budgetPages(server);
        // On a phone: every participation page in Slovenian and English, the lists and results in German and Italian.
        const participation = device !== 'phone' ? [] : ['sl', 'en'].includes(lang)
          ? ['/participation', '/participation/proposals', '/participation/surveys', '/participation/questions?q=parkirisca', closedResults]
          : ['/participation/proposals', closedResults];
        for (const p of ['/environment', '/environment/board', '/alerts', `/alerts/${demoAlert}`, ...(lang === 'sl' || lang === 'en' ? budget : device === 'phone' ? budget.slice(1, 2).concat(budget.slice(4)) : []), ...participation,
          ...(device === 'phone' ? ['/reports', '/reports/new', '/reports/1001', '/bookings', '/bookings/narodni-dom-dvorana'] : []),
          // The strategy's indicators and the maturity results: sl and en on a phone.
          ...(device === 'phone' && (lang === 'sl' || lang === 'en') ? ['/indicators', '/indicators?pillar=5', '/indicators/i/tele.wifi.1', '/indicators/report/2026', '/maturity', '/maturity/results'] : []),
          // Events in all four languages: the lists on a phone, the month calendar on a wide screen.
          ...(device === 'phone' ? ['/events', `/events/${demoEvent}`, ...(lang === 'sl' ? ['/events/genre/tradition'] : [])]
            : ['sl', 'de'].includes(lang) ? ['/events/calendar'] : [])]) {
          await ok(`${lang}/${device} ${p}: in the chosen language, axe-core clean, no horizontal scrolling`, async () => {
            const resp = await page.goto(`${server.base}${p}`);
            assert.equal(resp.status(), 200);
            assert.equal(await htmlLang(page), lang);
            await axe(page);
            await reflow(page);
          }, { fatal: false });
        }
      }
      if (device === 'phone') {
        await ok('the board refreshes its figures in place, without a reload', async () => {
          await page.goto(`${server.base}/environment/board?refresh=10`);
          await page.evaluate(() => {
            window.__notReloaded = true;
            document.querySelector('#env-updated').dataset.old = 'yes';
          });
          // The old paragraph is replaced by a fresh one within the refresh time.
          await page.waitForFunction(() => !document.querySelector('#env-updated')?.dataset.old, null, { timeout: 15_000 });
          assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page reloaded');
        }, { fatal: false });
      }
    } finally {
      await context.close();
    }
  }
}

// ---------------------------------------------------------------- main

async function main() {
  let server;
  let browser;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await stopServer(server).catch(() => {});
  };
  // Whatever happens, the server does not outlive the walk.
  process.on('exit', () => {
    if (server && !server.exited) server.child.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => { cleanup().finally(() => process.exit(130)); });
  }
  const watchdog = setTimeout(() => {
    console.log(`walk took longer than ${DEADLINE_MS / 1000} s; giving up`);
    failed += 1;
    console.log(`${passed} passed, ${failed} failed`);
    cleanup().finally(() => process.exit(1));
  }, DEADLINE_MS);
  watchdog.unref();

  try {
    await check('setup', 'TOTP implementation matches the RFC 6238 SHA-1 test vectors', () => {
      const key = Buffer.from('12345678901234567890');
      for (const [time, want] of [[59, '94287082'], [1111111109, '07081804'], [1234567890, '89005924'], [20000000000, '65353130']]) {
        assert.equal(hotp(key, Math.floor(time / 30), 8), want, `T=${time}`);
      }
      assert.deepEqual(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), key);
    });
    await check('setup', 'EMŠO test data is valid', () => assert.equal(emso(0), '0101006500006'));
    server = await check('setup', 'server starts and prints its address', startServer);
    browser = await check('setup', 'Chromium starts', () => chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }));
    console.log(`server ${server.base}, Chromium ${browser.version()}, axe-core ${require('axe-core/package.json').version}`);

    await check('setup', 'axe-core reports a known violation (the checker itself works)', async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.setContent('<!doctype html><html><head><title>x</title></head><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body></html>');
        await assert.rejects(axe(page), (e) => /image-alt/.test(e.message) && /html-has-lang/.test(e.message) && /label/.test(e.message));
      } finally {
        await context.close();
      }
    });
    if (ONLY === 'guide') {
      await guideWalk(browser, server);
      throw new WalkAborted('only the guide part');
    }
    if (ONLY === 'map') {
      await mapWalk(browser, server);
      throw new WalkAborted('only the map part');
    }
    await cspCheck(browser, server);
    const queue = RUNS.map((run, i) => [run, i]);
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const [run, i] = item;
        const label = `${run.lang}/${run.device}`;
        await timed(label, label, () => walk(browser, server, run, i));
      }
    };
    // Most of a language walk is waiting for the next TOTP step: the citizen's
    // journeys, the staff pages and the fault reports overlap them.
    await Promise.all([
      ...Array.from({ length: Math.min(CONCURRENCY, RUNS.length) }, worker),
      timed('citizen journeys', 'citizen journeys', () => citizenWalk(browser, server)),
      timed('events', 'events', () => eventsWalk(browser, server)),
      timed('map', 'map', () => mapWalk(browser, server)),
      timed('bookings', 'bookings', () => bookingsWalk(browser, server)),
      timed('guide', 'guide', () => guideWalk(browser, server)),
      (async () => {
        await timed('staff/phone', 'staff/phone', () => staffWalk(browser, server));
        await timed('fault reports', 'reports', () => reportsWalk(browser, server));
      })(),
    ]);
    await timed('visitor pages', 'visitor', () => visitorWalk(browser, server));
    await check('teardown', 'server still running after the walks', () => assert.equal(server.exited, null, `server exited: ${JSON.stringify(server.exited)}`), { fatal: false });
  } catch (e) {
    if (!(e instanceof WalkAborted)) {
      failed += 1;
      console.log(`  FAIL unexpected error: ${e.stack || e}`);
    }
  } finally {
    if ((failed > 0 && DEBUG) && server) console.log(`---- server log ----\n${server.log.slice(-8000)}`);
    await cleanup();
    clearTimeout(watchdog);
  }

  for (const n of notes) console.log(`note: ${n}`);
  if (failures.length) {
    console.log(`\n${failures.length} failure(s):`);
    for (const f of failures) console.log(`- ${f}`);
  }
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
