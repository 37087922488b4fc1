// SPDX-License-Identifier: MIT
// Browser test of the regression pages (Debian's chromium through
// playwright-core): the list and a permalink render the figures of
// tests/data/FIXTURES.md, the state is changed with a triage token typed
// once, reloading the permalink shows the new state, the token never
// appears in a URL or a cookie, and link previews name the benchmark, its
// delta % and a function.  Screenshots (desktop and phone) go to the
// artifacts directory, and with TBSCOPE_DOCS=DIR also to DIR.
//
// usage: test_regressions.mjs TBSCOPE DATA_DIR ARTIFACTS_DIR
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import {chromium} from 'playwright-core';

const [tbscope, dataDir, artifacts] = process.argv.slice(2);
if (!tbscope || !dataDir || !artifacts) {
	console.error('usage: test_regressions.mjs TBSCOPE DATA_DIR ARTIFACTS_DIR');
	process.exit(2);
}
const CHROMIUM = process.env.TBSCOPE_CHROMIUM || '/usr/bin/chromium';
const A = 'build.gcc-O2-rv64gc';
const B = 'build.gcc-O3-rv64gc_zba_zbb_zbs';

// ---- the oracle: FIXTURES.md ------------------------------------------------

const md = fs.readFileSync(path.join(dataDir, 'FIXTURES.md'), 'utf8');
const totals = new Map();
for (const m of md.split('### Per-benchmark totals')[1].matchAll(/^\| (\d{3}\.\w+) \| (\d+) \| (\d+) \|$/gm))
	if (!totals.has(m[1]))
		totals.set(m[1], {a: BigInt(m[2]), b: BigInt(m[3])});
assert.equal(totals.size, 6);
const fmt = n => (n > 0n ? '+' : '') + n.toLocaleString('en-US');
const pctText = (base, nu) => {
	const p = Number(nu - base) * 100 / Number(base);
	return `${p > 0 ? '+' : p < 0 ? '-' : ''}${Math.abs(p).toFixed(2)} %`;
};
// B -> A: every benchmark regressed; the largest in percent names the regression
let top = null;
for (const [name, t] of totals) {
	const p = Number(t.a - t.b) / Number(t.b);
	if (!top || p > top.p)
		top = {name, p, text: pctText(t.b, t.a)};
}

// ---- runs and server ---------------------------------------------------------

function linkTree(src, dst) {
	fs.mkdirSync(dst, {recursive: true});
	for (const e of fs.readdirSync(src, {withFileTypes: true})) {
		const s = path.join(src, e.name), d = path.join(dst, e.name);
		if (e.isDirectory())
			linkTree(s, d);
		else
			fs.linkSync(s, d);
	}
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tbscope-regress-browser-'));
const runsDir = path.join(tmp, 'runs');
const dataPath = path.join(tmp, 'data');
const runs = {
	'main-1': [B, '2026-01-01T10:00:00Z'],
	'main-2': [A, '2026-01-02T10:00:00Z'], // B -> A: a regression of six benchmarks
	'main-3': [A, '2026-01-03T10:00:00Z'],
};
for (const [id, [src, ts]] of Object.entries(runs)) {
	linkTree(path.join(dataDir, 'runs', src), path.join(runsDir, id));
	fs.writeFileSync(path.join(runsDir, id, 'tbscope-run.json'),
			 JSON.stringify({series: 'main', timestamp: ts, commit: id}));
}
const token = execFileSync(tbscope, ['token', '--data', dataPath, 'add', '--scope', 'triage', 'alice'],
			   {encoding: 'utf8'}).trim();

async function startServer() {
	const proc = spawn(tbscope, ['serve', '--data', dataPath, '--runs-dir', runsDir, '--listen', '127.0.0.1:0'],
			   {stdio: ['ignore', 'pipe', fs.openSync(path.join(tmp, 'server.log'), 'w')]});
	const rl = readline.createInterface({input: proc.stdout});
	const line = await new Promise((resolve, reject) => {
		rl.once('line', resolve);
		proc.once('exit', code => reject(new Error(`tbscope exited (${code})`)));
	});
	const m = line.match(/tbscope: listening on (http:\/\/\S+)/);
	assert.ok(m, line);
	return {proc, url: m[1].replace(/\/$/, '')};
}

async function waitReady(url) {
	const end = Date.now() + 120000;
	for (;;) {
		const r = await (await fetch(`${url}/api/v1/runs`)).json();
		// detection runs just after a run is listed ready: wait for it too
		if (r.runs.filter(x => x.status === 'ready').length === 3 &&
		    (await (await fetch(`${url}/api/v1/regressions?series=main`)).json()).regressions.length)
			return;
		if (Date.now() > end)
			throw new Error('runs not ready');
		await new Promise(res => setTimeout(res, 200));
	}
}

let failures = 0, count = 0;
async function check(name, fn) {
	count++;
	try {
		await fn();
		console.log(`ok ${count} - ${name}`);
	} catch (err) {
		failures++;
		console.log(`not ok ${count} - ${name}`);
		console.log(String(err.stack || err).split('\n').map(l => '  # ' + l).join('\n'));
	}
}

const problems = [];
function watch(page, label) {
	page.on('pageerror', e => problems.push(`${label}: page error: ${e.message}`));
	page.on('console', m => {
		if (m.type() === 'error' && !/status of 40[13]/.test(m.text()))
			problems.push(`${label}: console error: ${m.text()}`);
	});
	page.on('dialog', d => {
		problems.push(`${label}: dialog: ${d.message()}`);
		d.dismiss().catch(() => {});
	});
}

async function open(page, url) {
	await page.goto(url);
	await page.waitForSelector('body[data-ready]', {timeout: 30000});
}

const docs = process.env.TBSCOPE_DOCS;
async function shot(page, name) {
	const file = path.join(artifacts, `${name}.png`);
	await page.screenshot({path: file, fullPage: true});
	if (docs)
		fs.copyFileSync(file, path.join(docs, `${name}.png`));
}

async function main() {
	fs.mkdirSync(artifacts, {recursive: true});
	const {proc, url} = await startServer();
	let browser;
	try {
		await waitReady(url);
		const list = await (await fetch(`${url}/api/v1/regressions?series=main`)).json();
		assert.equal(list.regressions.length, 1);
		const id = list.regressions[0].id;
		browser = await chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox']});
		const ctx = await browser.newContext({viewport: {width: 1280, height: 900}});
		const page = await ctx.newPage();
		watch(page, 'desktop');
		const urls = [];
		page.on('request', r => urls.push(r.url()));

		await check('the list shows the regression with the README\'s deltas', async () => {
			await open(page, `${url}/regressions?series=main`);
			const rows = await page.$$eval('#rg-list tbody tr', trs => trs.map(tr => tr.textContent));
			assert.equal(rows.length, 1);
			for (const [name, t] of totals) {
				assert.ok(rows[0].includes(name), name);
				assert.ok(rows[0].includes(fmt(t.a - t.b)), `${name} ${fmt(t.a - t.b)}`);
				assert.ok(rows[0].includes(pctText(t.b, t.a)), `${name} ${pctText(t.b, t.a)}`);
			}
			assert.ok(rows[0].includes('main-1') && rows[0].includes('main-2'));
			assert.ok(rows[0].includes('new'));
			await shot(page, 'regressions-desktop-light');
		});

		await check('the permalink has each benchmark\'s delta and link previews name the top one', async () => {
			await open(page, `${url}/regressions/${id}`);
			const cells = await page.$$eval('#rg-changes tbody tr', trs => trs.map(tr =>
				[...tr.querySelectorAll('td')].map(td => td.textContent.trim())));
			assert.equal(cells.length, 6);
			for (const c of cells) {
				const t = totals.get(c[0]);
				assert.ok(t, c[0]);
				assert.deepEqual(c.slice(1, 6), ['regressed', t.b.toLocaleString('en-US'),
					t.a.toLocaleString('en-US'), fmt(t.a - t.b), pctText(t.b, t.a)]);
				assert.ok(c[6].length > 1, 'a function carries it');
			}
			const html = await (await fetch(`${url}/regressions/${id}`)).text();
			const og = html.match(/<meta property="og:title" content="([^"]*)">/)[1];
			assert.ok(og.includes(top.name) && og.includes(top.text), og);
			assert.match(og, / · \S+/, 'names a function');
			const desc = html.match(/<meta property="og:description" content="([^"]*)">/)[1];
			assert.ok(desc.includes('6 benchmarks changed') && desc.includes('state new'), desc);
			// where the top benchmark's delta comes from: the parts add up to
			// the README's delta
			await page.waitForSelector('#rg-where');
			assert.equal(await page.$eval('#rg-where', t => t.dataset.bench), top.name);
			const parts = await page.$$eval('#rg-where tr td:nth-child(3)', tds => tds.map(td => td.textContent));
			assert.ok(parts.length >= 2, parts);
			assert.ok(!parts.slice(0, -1).includes('0'), 'only functions that moved are listed');
			const sum = parts.reduce((a, t) => a + BigInt(t.replace(/[^0-9-]/g, '')), 0n);
			const t = totals.get(top.name);
			assert.equal(sum, t.a - t.b);
			// another benchmark, picked by its name
			await page.click('#rg-changes button:text("600.lzpack_r")');
			await page.waitForSelector('#rg-where[data-bench="600.lzpack_r"]');
			const parts2 = await page.$$eval('#rg-where tr td:nth-child(3)', tds => tds.map(td => td.textContent));
			const t2 = totals.get('600.lzpack_r');
			assert.equal(parts2.reduce((a, x) => a + BigInt(x.replace(/[^0-9-]/g, '')), 0n), t2.a - t2.b);
			assert.ok(page.url().includes('bench=600.lzpack_r'));
			// the waterfall link goes to the delta view of that benchmark
			const href = await page.$eval(`#rg-changes tr[data-bench="${top.name}"] td:last-child a`, a => a.getAttribute('href'));
			assert.equal(href, `/compare/main-1...main-2/${top.name}`);
		});

		await check('a triage token typed once changes the state; a reload shows it', async () => {
			await page.fill('#rg-token-input', token);
			await page.click('#rg-token-form button[type="submit"]');
			await page.waitForSelector('#rg-forget');
			await page.click('button[data-state="investigating"]');
			await page.waitForFunction(() => document.getElementById('rg-current-state')?.textContent === 'investigating');
			await page.fill('#rg-note-input', 'Looking at **matmul**: <img src=x onerror=alert(1)>');
			await page.click('#rg-save-note');
			await page.waitForSelector('.rg-note strong');
			// reload the permalink
			await open(page, `${url}/regressions/${id}`);
			await page.waitForSelector('#rg-where');
			assert.equal(await page.textContent('#rg-current-state'), 'investigating');
			const hist = await page.textContent('#rg-history');
			assert.ok(hist.includes('alice') && hist.includes('investigating'), hist);
			assert.equal(await page.$('.rg-note img'), null, 'the note is not HTML');
			assert.ok((await page.textContent('.rg-note')).includes('<img src=x'));
			const api = await (await fetch(`${url}/api/v1/regressions/${id}`)).json();
			assert.equal(api.state, 'investigating');
			assert.equal(api.state_by, 'alice');
			// never in a URL or a cookie
			assert.ok(!urls.some(u => u.includes(token)), 'token in a URL');
			assert.equal((await ctx.cookies()).length, 0);
			await shot(page, 'regression-desktop-light');
		});

		await check('the runs list, the compare page and the history step link to it', async () => {
			const want = `/regressions/${id}`;
			await open(page, `${url}/?series=main`);
			await page.waitForSelector(`tr a.reg-link[href="${want}"]`);
			const rowText = await page.$eval(`a.reg-link[href="${want}"]`, a => a.closest('tr').textContent);
			assert.ok(rowText.includes('main-2'), rowText);
			assert.equal((await page.$$('a.reg-link')).length, 1, 'one regression, one link');
			await open(page, `${url}/compare/main-1...main-2`);
			await page.waitForSelector(`a.reg-link[href="${want}"]`);
			await open(page, `${url}/compare/main-2...main-3`);
			await page.waitForLoadState('networkidle');
			assert.equal(await page.$('a.reg-link'), null, 'no link on a pair without one');
			await open(page, `${url}/history/612.matmul_r?series=main`);
			await page.waitForSelector(`a.reg-link[href="${want}"]`);
			await shot(page, 'runs-link-history');
		});

		await check('phone and dark screenshots', async () => {
			const phone = await browser.newContext({viewport: {width: 390, height: 844}, colorScheme: 'dark',
							      deviceScaleFactor: 2});
			const p = await phone.newPage();
			watch(p, 'phone');
			await open(p, `${url}/regressions/${id}`);
			await shot(p, 'regression-phone-dark');
			await open(p, `${url}/regressions`);
			await shot(p, 'regressions-phone-dark');
			const width = await p.evaluate(() => document.documentElement.scrollWidth);
			assert.ok(width <= 390, `page is ${width}px wide on a phone`);
			await phone.close();
		});

		await check('no page errors, console errors or dialogs', async () => {
			assert.deepEqual(problems, []);
		});
	} finally {
		if (browser)
			await browser.close();
		proc.kill('SIGTERM');
	}
	console.log(`1..${count}`);
	fs.rmSync(tmp, {recursive: true, force: true});
	process.exit(failures ? 1 : 0);
}

main().catch(err => {
	console.error(err);
	process.exit(1);
});
