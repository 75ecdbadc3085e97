// The billing portal as its users use it, in Debian's Chromium (headless), with real clicks and
// keystrokes: a tenant logs in and reads its balance, pages the ledger, downloads the CSV; an admin
// searches and sorts the tenants, tops one up (double-clicking the button), sees the level change;
// another tenant's URLs, forged forms, expired sessions and guessed passwords are refused. axe-core
// checks every page (no serious or critical violation). Run by run.sh; the environment is set by
// tests/server/portal_browser_servertest.cpp, which then checks the database.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const env = (name) => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`portal.mjs: ${name} is not set`);
  return value;
};
const base = env('PORTAL_URL');
const tenant = env('TENANT');
const shots = process.env.SCREENSHOT_DIR || '';
let passed = 0;

function check(condition, message) {
  if (!condition) throw new Error(`FAILED: ${message}`);
  passed += 1;
}

const browser = await puppeteer.launch({
  executablePath: env('CHROMIUM'),
  headless: true,
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--lang=en-US'],
});

// A fresh profile (cookies of its own) per person, and every page's CSP or script error fails.
async function person() {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  await page.setViewport({ width: 1280, height: 900 });
  page.on('console', (message) => {
    if (message.type() === 'error' && !/the server responded with a status of [45][0-9][0-9]/.test(message.text())) {
      throw new Error(`console error on ${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => { throw new Error(`script error on ${page.url()}: ${error}`); });
  return { context, page };
}

async function axeCheck(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `axe on ${name}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(' ')}`).join('; ')}`);
  console.log(`ok - axe: ${name} (${result.violations.length} minor or moderate)`);
}

async function textOf(page, selector) {
  return page.$eval(selector, (element) => element.textContent.trim());
}

async function clickAndWait(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

// Logs in by keyboard, as a person does: type, Tab, type, Enter.
async function login(page, email, password) {
  await page.goto(`${base}/portal/login`);
  await page.click('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

async function noSidewaysScroll(page, name) {
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await page.reload();
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  check(fits, `${name} is wider than a phone's screen`);
  if (shots) await page.screenshot({ path: path.join(shots, `${name}-phone.png`), fullPage: true });
  await page.setViewport({ width: 1280, height: 900 });
  await page.reload();
  if (shots) await page.screenshot({ path: path.join(shots, `${name}-desktop.png`), fullPage: true });
  console.log(`ok - ${name} fits a phone's width`);
}

// --- a session left idle: its check comes last, once the idle expiry (1 minute) has passed -------
const idle = await person();
await login(idle.page, env('TENANT_EMAIL'), env('TENANT_PASSWORD'));
const idleSince = Date.now();

// --- the tenant --------------------------------------------------------------------------------
const { page } = await person();
await page.goto(`${base}/portal/t/${tenant}/`);
check(page.url().endsWith('/portal/login'), `a page without a session goes to the login, got ${page.url()}`);
await axeCheck(page, 'login');
await page.type('#email', env('TENANT_EMAIL'));
await page.type('#password', 'not the password');
await clickAndWait(page, 'form button[type=submit]');
check((await textOf(page, '.error')).includes('Wrong email or password'), 'a wrong password is refused');
await login(page, env('TENANT_EMAIL'), env('TENANT_PASSWORD'));
check(page.url() === `${base}/portal/t/${tenant}/`, `the tenant lands on its overview, got ${page.url()}`);
check(await textOf(page, '#balance') === env('EXPECT_BALANCE'),
      `the balance shown is the ledger's: ${await textOf(page, '#balance')} vs ${env('EXPECT_BALANCE')}`);
check((await textOf(page, '#level')).includes(`Level: ${env('EXPECT_LEVEL_BEFORE')}`), 'the level banner');
check(await page.$('form[action$="/topup"]') === null, 'a tenant has no top-up form');
await axeCheck(page, 'tenant overview');
await noSidewaysScroll(page, 'tenant-overview');

for (const tab of ['Ledger', 'Batches', 'Spend', 'Notifications']) {
  const [link] = await page.$$(`xpath/.//nav[@aria-label="Tenant pages"]//a[text()="${tab}"]`);
  await Promise.all([page.waitForNavigation(), link.click()]);
  check(await page.$eval('nav.tabs a[aria-current="page"]', (a) => a.textContent) === tab, `${tab} tab is current`);
  await axeCheck(page, `tenant ${tab.toLowerCase()}`);
}
const batchesPage = await (await page.goto(`${base}/portal/t/${tenant}/batches`)).text();
check(/blocked/.test(batchesPage) && /needed [0-9.]+ more/.test(batchesPage), 'a blocked batch says how much credit it needed');
check(/partly sent|sent/.test(batchesPage), 'sent batches are listed');
await page.goto(`${base}/portal/t/${tenant}/spend`);
check(await page.$('svg.chart rect') !== null, 'the spend chart has bars');
check((await page.$$('#spend tbody tr')).length >= 2, 'spend has a row per market and category');
await page.goto(`${base}/portal/t/${tenant}/notifications`);
check(/Low balance/.test(await page.content()) && /threshold 100.00 EUR/.test(await page.content()), 'the low-balance notification is listed, in words and money');
const notificationsHtml = await page.content();
check(/<code>whsec_[A-Za-z0-9+/]{40,}={0,2}<\/code>/.test(notificationsHtml), 'the channels section shows the webhook signing secret');
check(/Email to ops@acme\.example/.test(notificationsHtml), 'each channel of the notification is listed');
check(!/token=t/.test(notificationsHtml), "a webhook URL's query string is never shown");

// Page the whole ledger: 50 a page, newest first, no entry twice, none missing.
await page.goto(`${base}/portal/t/${tenant}/ledger`);
const seen = [];
for (;;) {
  const ids = await page.$$eval('#ledger tbody tr td:first-child', (cells) => cells.map((c) => Number(c.textContent)));
  check(ids.length <= 50, 'a ledger page has at most 50 entries');
  seen.push(...ids);
  const older = await page.$('a[rel="next"]');
  if (!older) break;
  await Promise.all([page.waitForNavigation(), older.click()]);
}
check(seen.length === Number(env('EXPECT_LEDGER_ENTRIES')), `paging showed ${seen.length} entries, the ledger has ${env('EXPECT_LEDGER_ENTRIES')}`);
check(seen.every((id, i) => i === 0 || id < seen[i - 1]), 'entries newest first, none twice');

// The CSV, downloaded by clicking its link.
await page.goto(`${base}/portal/t/${tenant}/ledger`);
const downloads = env('DOWNLOAD_DIR');
const cdp = await browser.target().createCDPSession();
await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, browserContextId: page.browserContext().id });
await page.click('#csv');
let csvFile = '';
for (let i = 0; i < 100 && !csvFile; ++i) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  csvFile = fs.readdirSync(downloads).find((f) => f.endsWith('.csv')) || '';
}
check(csvFile !== '', 'the CSV was downloaded');
const lines = fs.readFileSync(path.join(downloads, csvFile), 'utf8').trim().split('\r\n');
check(lines[0].startsWith('entry_id,created_at,kind,amount,balance_after,currency'), 'the CSV header');
let sum = 0n;
for (const line of lines.slice(1)) {
  const amount = line.split(',')[3];
  const [whole, fraction] = amount.replace('-', '').split('.');
  const micros = BigInt(whole) * 1000000n + BigInt(fraction);
  sum += amount.startsWith('-') ? -micros : micros;
}
check(lines.length - 1 === Number(env('EXPECT_LEDGER_ENTRIES')), 'the CSV has every entry');
check(sum === BigInt(env('EXPECT_CSV_SUM_MICROS')), `the CSV's amounts sum to the balance: ${sum}`);
console.log('ok - CSV sums to the balance');

// Another tenant's pages, and its download: 404, like a tenant that does not exist.
for (const p of ['', 'ledger', 'ledger.csv', 'batches', 'spend', 'notifications']) {
  const other = await page.goto(`${base}/portal/t/${env('OTHER_TENANT')}/${p}`);
  const none = await page.goto(`${base}/portal/t/no-such-tenant/${p}`);
  check(other.status() === 404 && none.status() === 404, `another tenant's /${p} is 404 (got ${other.status()})`);
}
check((await page.goto(`${base}/portal/tenants`)).status() === 404, 'a tenant cannot list tenants');
await axeCheck(page, 'not found');
console.log('ok - another tenant\'s pages are 404');

// --- wrong passwords: limited per email, even the right one is refused then ---------------------
const locked = await person();
for (let i = 0; i < 5; ++i) {
  await locked.page.goto(`${base}/portal/login`);
  await locked.page.type('#email', env('LOCKED_EMAIL'));
  await locked.page.type('#password', `guess ${i}`);
  await clickAndWait(locked.page, 'form button[type=submit]');
}
await locked.page.goto(`${base}/portal/login`);
await locked.page.type('#email', env('LOCKED_EMAIL'));
await locked.page.type('#password', env('LOCKED_PASSWORD'));
const [limited] = await Promise.all([locked.page.waitForNavigation(), locked.page.click('form button[type=submit]')]);
check(limited.status() === 429 && (await textOf(locked.page, '.error')).includes('Too many wrong passwords'),
      `the sixth try is refused even with the right password (${limited.status()})`);
await locked.context.close();
console.log('ok - wrong passwords are rate-limited');

// --- the admin ---------------------------------------------------------------------------------
const admin = await person();
const a = admin.page;
await login(a, env('ADMIN_EMAIL'), env('ADMIN_PASSWORD'));
check(a.url() === `${base}/portal/tenants`, `an admin lands on the tenant list, got ${a.url()}`);
await axeCheck(a, 'admin tenant list');
await noSidewaysScroll(a, 'admin-tenants');
await a.type('#q', tenant);
await Promise.all([a.waitForNavigation(), a.keyboard.press('Enter')]);
check((await a.$$('#tenants tbody tr')).length === 1, 'search finds the one tenant');
await a.goto(`${base}/portal/tenants`);
// The script sorts in place, in the order the link names (the largest balance first, then, on a
// second click, the smallest), as the server does without the script.
const shownBalances = async () =>
  (await a.$$eval('#tenants tbody tr td:nth-child(3)', (cells) => cells.map((c) => c.dataset.value))).map(BigInt);
await a.click('a[data-sort="balance"]');
let balances = await shownBalances();
check(balances.length >= 2, 'the tenant list has the tenants');
check(balances.every((b, i) => i === 0 || b <= balances[i - 1]), `the balance column sorts, largest first: ${balances.join(' ')}`);
check(a.url().endsWith('/portal/tenants?sort=balance&order=desc'), `the address says the order: ${a.url()}`);
await a.click('a[data-sort="balance"]');
balances = await shownBalances();
check(balances.every((b, i) => i === 0 || b >= balances[i - 1]), `a second click sorts smallest first: ${balances.join(' ')}`);
check(await a.$eval('#tenants caption', (c) => c.textContent) === 'Tenants, sorted by balance', 'the caption says how');
await a.reload();
const reloaded = await shownBalances();
check(reloaded.join() === balances.join(), 'a reload keeps the order the page showed');

await a.goto(`${base}/portal/t/${tenant}/`);
await axeCheck(a, 'admin tenant overview');
const reference = await a.$eval('#topup-reference', (input) => input.value);
await a.type('#topup-amount', env('TOP_UP'));
await a.type('#topup-note', 'browser test');
// A double click.
await Promise.all([a.waitForNavigation(), a.click('form[action$="/topup"] button', { clickCount: 2 })]);
// The portal's script sends the form once; without it the server would answer the second
// submission "already holds this reference".
check((await textOf(a, '.notice')).startsWith('Credit added'), `the top-up is confirmed: ${await textOf(a, '.notice')}`);
check(await textOf(a, '#balance') === env('EXPECT_BALANCE_AFTER_TOP_UP'), `the balance after the top-up: ${await textOf(a, '#balance')}`);
check((await textOf(a, '#level')).includes(`Level: ${env('EXPECT_LEVEL_AFTER')}`), 'the level changed');
// The same form again, as a browser resends it: recorded once.
const csrf = await a.$eval('form[action$="/topup"] input[name=csrf]', (input) => input.value);
await a.evaluate((action, fields) => {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = action;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden'; input.name = name; input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}, `/portal/t/${tenant}/topup`, { csrf, amount: env('TOP_UP'), reference, note: 'browser test' });
await a.waitForNavigation();
check((await textOf(a, '.notice')).includes('already holds this reference'), 'a resent top-up adds nothing');
check(await textOf(a, '#balance') === env('EXPECT_BALANCE_AFTER_TOP_UP'), 'the balance did not move again');

// A forged form (another CSRF token) is refused and changes nothing.
await a.goto(`${base}/portal/t/${env('OTHER_TENANT')}/`);
await a.$eval('form[action$="/topup"] input[name=csrf]', (input) => { input.value = 'forged'; });
await a.type('#topup-amount', '5');
const [forged] = await Promise.all([a.waitForNavigation(), a.click('form[action$="/topup"] button')]);
check(forged.status() === 403 && /CSRF/.test(await a.content()), `a forged form is refused (${forged.status()})`);
await axeCheck(a, 'refused form');
// A wrong amount: the page says which field and why, keeps what was typed, and adds nothing.
await a.goto(`${base}/portal/t/${env('OTHER_TENANT')}/`);
await a.type('#topup-amount', '12,50');
const [wrong] = await Promise.all([a.waitForNavigation(), a.click('form[action$="/topup"] button')]);
check(wrong.status() === 422 && await a.$eval('#topup-amount', (i) => i.getAttribute('aria-invalid')) === 'true',
      'a wrong amount is refused beside its field');
check((await a.$eval('#topup-amount', (i) => i.value)) === '12,50', 'what was typed is kept');
await axeCheck(a, 'top-up form with an error');
console.log('ok - admin top-up once, forged form refused');
fs.writeFileSync(env('RESULT_FILE'), JSON.stringify({ top_up_reference: reference }));

// Log out everywhere: the admin's other session ends too.
const second = await person();
await login(second.page, env('ADMIN_EMAIL'), env('ADMIN_PASSWORD'));
await a.goto(`${base}/portal/tenants`);
await clickAndWait(a, 'form[action="/portal/logout"] button.secondary');
check((await textOf(a, '.notice')).includes('every device'), 'logged out everywhere');
await second.page.goto(`${base}/portal/tenants`);
check(second.page.url().startsWith(`${base}/portal/login`), 'the other session ended too');

// --- the idle session, now past its expiry ------------------------------------------------------
const wait = 61000 - (Date.now() - idleSince);
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
await idle.page.goto(`${base}/portal/t/${tenant}/ledger`);
check(idle.page.url() === `${base}/portal/login?ended=1`, `an idle session expires (${idle.page.url()})`);
check((await textOf(idle.page, '.notice')).includes('session ended'), 'the login says why');
console.log('ok - an idle session expires');

await browser.close();
console.log(`portal.mjs: ${passed} checks passed`);
