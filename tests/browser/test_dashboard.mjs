// SPDX-License-Identifier: MIT
//
// node test_dashboard.mjs TBSCOPE DATA_DIR ARTIFACTS_DIR
//
// Drives Debian's headless Chromium (playwright-core, never a downloaded
// browser) against a real `tbscope serve` on a free loopback port, with a
// temp --data dir and a temp --runs-dir holding hard-linked copies of the
// two fixture runs (plus copies making a series, and one whose metadata is
// hostile).  Expected figures come from DATA_DIR/FIXTURES.md, or from the
// fixture files themselves read here (the .qemu_out rows, the .map, and
// binutils' nm and objdump on the binaries), never from tbscope.  Screenshots of every page (1280 and 390 wide, light and dark)
// are written to ARTIFACTS_DIR.
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import {chromium} from 'playwright-core';

const [tbscope, dataDir, artifacts] = process.argv.slice(2);
if (!tbscope || !dataDir || !artifacts) {
	console.error('usage: test_dashboard.mjs TBSCOPE DATA_DIR ARTIFACTS_DIR');
	process.exit(2);
}
const CHROMIUM = process.env.TBSCOPE_CHROMIUM || '/usr/bin/chromium';

const A = 'build.gcc-O2-rv64gc';
const B = 'build.gcc-O3-rv64gc_zba_zbb_zbs';
const A2 = 'series-run-3'; // a copy of B: no change, not a step
const A3 = 'series-run-4'; // a copy of A: a step up
const EVIL = 'evil-metadata';
const PARTIAL = 'partial-run'; // B without 612.matmul_r
const XSS_SERIES = '<script>alert(1)</script>';
const XSS_COMMIT = '<img src=x onerror=alert(2)>';

// ---- the oracle: FIXTURES.md -------------------------------------------------

function fixtures() {
	const md = fs.readFileSync(path.join(dataDir, 'FIXTURES.md'), 'utf8');
	const section = md.split('### Per-benchmark totals')[1];
	const totals = new Map();
	for (const m of section.matchAll(/^\| (\d{3}\.\w+) \| (\d+) \| (\d+) \|$/gm))
		if (!totals.has(m[1]))
			totals.set(m[1], {a: BigInt(m[2]), b: BigInt(m[3])});
	assert.equal(totals.size, 6, 'six benchmarks in FIXTURES.md');
	const g = md.match(/Geometric mean of the six B\/A ratios: ([0-9.]+) \((-?[0-9.]+) %\)/);
	assert.ok(g, 'geomean line in FIXTURES.md');
	const suites = new Map();
	for (const m of md.matchAll(/^\| (\d{3}\.\w+) \| (CINT2017rate|CFP2017rate) \|/gm))
		suites.set(m[1], m[2]);
	return {totals, geomeanPct: g[2], suites};
}

const fx = fixtures();
const pct = (a, b) => (Number(b - a) / Number(a)) * 100;
// what the page prints: sign, two decimals, " %"
const pctText = p => `${p > 0 ? '+' : p < 0 ? '-' : ''}${Math.abs(p).toFixed(2)} %`;
const digits = s => s.replace(/[^0-9-]/g, '');
// the compare table's default order: |delta %| largest first (one-sided last)
const byMag = (ns, dir = 1) => ns.slice().sort((x, y) => {
	const t = n => fx.totals.get(n);
	return Math.abs(pct(t(y).a, t(y).b)) - Math.abs(pct(t(x).a, t(x).b));
});

// ---- the oracle: the fixture files, read here ------------------------------

const NM = process.env.TBSCOPE_NM || 'riscv64-linux-gnu-nm';
const OBJDUMP = process.env.TBSCOPE_OBJDUMP || 'riscv64-linux-gnu-objdump';

function benchDir(run, bench) {
	return path.join(dataDir, 'runs', run, 'External/SPEC', fx.suites.get(bench), bench);
}

// A function's [start, end) in the benchmark's binary, from nm -S.
function symbol(run, bench, name) {
	const out = execFileSync(NM, ['-S', path.join(benchDir(run, bench), bench)], {encoding: 'utf8'});
	const m = out.match(new RegExp(`^([0-9a-f]+) ([0-9a-f]+) [Tt] ${name}$`, 'm'));
	assert.ok(m, `nm finds ${name}`);
	return [BigInt('0x' + m[1]), BigInt('0x' + m[1]) + BigInt('0x' + m[2])];
}

// From the .qemu_out rows and each invocation's .map: instructions in the
// binary, in the function [lo, hi) of it, and that function's hottest block.
function countIn(run, bench, [lo, hi]) {
	const dir = benchDir(run, bench);
	let binary = 0n, total = 0n, fn = 0n, hot = null;
	for (const f of fs.readdirSync(dir).filter(f => /\.qemu_out(\.\d+)?$/.test(f))) {
		const map = fs.readFileSync(path.join(dir, f.replace('.qemu_out', '.map')), 'utf8');
		const maps = [...map.matchAll(/^\s*0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+\S+\s+(\S+)$/gm)]
			.filter(m => m[3].endsWith('/' + bench)).map(m => [BigInt('0x' + m[1]), BigInt('0x' + m[2])]);
		const base = maps.reduce((a, m) => (m[0] < a ? m[0] : a), maps[0][0]);
		for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/^0x([0-9a-f]+), (\d+), (\d+), (\d+)$/gm)) {
			const pc = BigInt('0x' + m[1]), n = BigInt(m[3]) * BigInt(m[4]);
			total += n;
			if (!maps.some(([a, b]) => pc >= a && pc < b))
				continue;
			binary += n;
			const addr = pc - base; // first PT_LOAD at 0 (FIXTURES.md)
			if (addr >= lo && addr < hi) {
				fn += n;
				if (!hot || n > hot.n)
					hot = {addr, icount: Number(m[3]), ecount: BigInt(m[4]), n};
			}
		}
	}
	return {total, binary, fn, hot};
}

// objdump's mnemonics (no aliases) of `count` instructions from `addr`.
function objdumpMnemonics(run, bench, addr, count) {
	const out = execFileSync(OBJDUMP, ['-d', '-M', 'no-aliases', '--no-show-raw-insn',
		`--start-address=0x${addr.toString(16)}`, `--stop-address=0x${(addr + BigInt(4 * count)).toString(16)}`,
		path.join(benchDir(run, bench), bench)], {encoding: 'utf8'});
	return [...out.matchAll(/^\s+[0-9a-f]+:\s+(\S+)/gm)].map(m => m[1]).slice(0, count);
}

// ---- colour checks -------------------------------------------------------------

function lightness([r, g, b]) {
	return (Math.max(r, g, b) + Math.min(r, g, b)) / 2 / 255 * 100;
}

function luminance(rgb) {
	const c = v => {
		const x = v / 255;
		return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
	};
	return 0.2126 * c(rgb[0]) + 0.7152 * c(rgb[1]) + 0.0722 * c(rgb[2]);
}

function contrast(a, b) {
	const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
	return (x + 0.05) / (y + 0.05);
}

// In the page: every visible element with its own text, its computed
// colour against the first opaque background up its ancestors; returns
// the failures (below 4.5:1).  Text drawn on canvases is not sampled.
const CONTRAST_PASS = `(() => {
	const rgb = s => (s.match(/[0-9.]+/g) || []).map(Number);
	const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
		.reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
	const bgOf = e => {
		for (let n = e; n; n = n.parentElement) {
			const c = rgb(getComputedStyle(n).backgroundColor);
			if (c.length === 3 || (c.length === 4 && c[3] > 0.9))
				return c.slice(0, 3);
		}
		return rgb(getComputedStyle(document.body).backgroundColor).slice(0, 3);
	};
	const bad = [];
	for (const e of document.querySelectorAll('body *')) {
		if (!e.offsetParent && getComputedStyle(e).position !== 'fixed')
			continue;
		if (e.closest('.sr-only, .skip-link, noscript, canvas'))
			continue;
		const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
		if (!own)
			continue;
		const cs = getComputedStyle(e);
		if (cs.visibility === 'hidden' || Number(cs.opacity) < 0.5 || Number(cs.fontSize.replace('px', '')) === 0)
			continue;
		const fg = rgb(cs.color).slice(0, 3), bg = bgOf(e);
		const [x, y] = [lum(fg), lum(bg)].sort((p, q) => q - p);
		const ratio = (x + 0.05) / (y + 0.05);
		if (ratio < 4.5)
			bad.push(e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' "' + e.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
	}
	return [...new Set(bad)].slice(0, 20);
})()`;

// ---- a temp runs dir ---------------------------------------------------------

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

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tbscope-browser-'));
const runsDir = path.join(tmp, 'runs');
const runMeta = {
	[A]: [A, {series: 'main', timestamp: '2026-01-01T10:00:00Z', commit: 'a1a1a1a1a1a1a1', compiler: 'gcc 12.2 -O2'}],
	[B]: [B, {series: 'main', timestamp: '2026-01-02T10:00:00Z', commit: 'b2b2b2b2b2b2b2', compiler: 'gcc 12.2 -O3'}],
	[A2]: [B, {series: 'main', timestamp: '2026-01-03T10:00:00Z', commit: 'c3c3c3c3c3c3c3'}],
	[A3]: [A, {series: 'main', timestamp: '2026-01-04T10:00:00Z', commit: 'd4d4d4d4d4d4d4'}],
	[EVIL]: [A, {series: XSS_SERIES, timestamp: '2026-01-05T10:00:00Z', commit: XSS_COMMIT,
		     compiler: '"><svg onload=alert(3)>'}],
};
runMeta[PARTIAL] = [B, {series: 'other', timestamp: '2025-12-31T10:00:00Z'}];
for (const [id, [src, meta]] of Object.entries(runMeta)) {
	linkTree(path.join(dataDir, 'runs', src), path.join(runsDir, id));
	fs.writeFileSync(path.join(runsDir, id, 'tbscope-run.json'), JSON.stringify(meta));
}
fs.rmSync(path.join(runsDir, PARTIAL, 'External/SPEC/CFP2017rate/612.matmul_r'), {recursive: true});

// ---- the server --------------------------------------------------------------

async function startServer() {
	const proc = spawn(tbscope, ['serve', '--data', path.join(tmp, 'data'), '--runs-dir', runsDir,
				     '--listen', '127.0.0.1:0'],
			   {stdio: ['ignore', 'pipe', fs.openSync(path.join(tmp, 'server.log'), 'w')]});
	const rl = readline.createInterface({input: proc.stdout});
	const line = await new Promise((resolve, reject) => {
		rl.once('line', resolve);
		proc.once('exit', code => reject(new Error(`tbscope exited (${code}): ` +
			fs.readFileSync(path.join(tmp, 'server.log'), 'utf8'))));
	});
	const m = line.match(/tbscope: listening on (http:\/\/\S+)/);
	assert.ok(m, `server did not start: ${line}`);
	return {proc, url: m[1].replace(/\/$/, '')};
}

async function waitReady(url, n) {
	const end = Date.now() + 120000;
	for (;;) {
		const r = await (await fetch(`${url}/api/v1/runs?limit=1000`)).json();
		const ready = r.runs.filter(x => x.status === 'ready').length;
		if (ready === n)
			return;
		if (r.runs.some(x => x.status === 'failed'))
			throw new Error('a run failed: ' + JSON.stringify(r.runs));
		if (Date.now() > end)
			throw new Error(`runs not ready: ${JSON.stringify(r.runs.map(x => [x.id, x.status]))}`);
		await new Promise(res => setTimeout(res, 200));
	}
}

// ---- the checks --------------------------------------------------------------

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

const problems = []; // page errors, console errors, CSP violations, dialogs
function watch(page, label) {
	page.on('pageerror', e => problems.push(`${label}: page error: ${e.message}`));
	page.on('console', m => {
		if (m.type() === 'error')
			problems.push(`${label}: console error: ${m.text()}`);
	});
	page.on('dialog', d => {
		problems.push(`${label}: a dialog fired: ${d.message()}`);
		d.dismiss().catch(() => {});
	});
}

async function open(page, url) {
	await page.goto(url);
	await page.waitForSelector('body[data-ready]', {timeout: 30000});
}

async function tableRows(page) {
	return page.$$eval('#compare-table tbody tr:not(.empty)', trs => trs.map(tr => ({
		name: tr.querySelector('.name').textContent.trim(),
		base: tr.querySelector('.base').textContent.trim(),
		new: tr.querySelector('.new').textContent.trim(),
		pct: tr.querySelector('.pct').textContent.trim(),
		suite: tr.querySelector('.suite').textContent.trim(),
	})));
}

const chartBars = page => page.evaluate(() => {
	const c = window.Chart.getChart(document.getElementById('delta-chart'));
	return c ? {bars: c.getDatasetMeta(0).data.length, labels: c.data.labels} : null;
});

async function main() {
	fs.mkdirSync(artifacts, {recursive: true});
	const {proc, url} = await startServer();
	let browser;
	try {
		await waitReady(url, Object.keys(runMeta).length);
		browser = await chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox']});
		const ctx = await browser.newContext({viewport: {width: 1280, height: 900}});
		await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: url});
		const page = await ctx.newPage();
		watch(page, 'main');
		const cmp = `${url}/compare/${A}...${B}`;
		const names = [...fx.totals.keys()].sort();

		await check('compare page: six benchmarks with the FIXTURES.md totals', async () => {
			await open(page, cmp);
			const rows = await tableRows(page);
			assert.deepEqual(rows.map(r => r.name), byMag(names));
			for (const r of rows) {
				const t = fx.totals.get(r.name);
				assert.equal(digits(r.base), String(t.a), `${r.name} base`);
				assert.equal(digits(r.new), String(t.b), `${r.name} new`);
				assert.match(r.base, /^\d{1,3}(,\d{3})+$/, 'thousands separators');
				assert.equal(r.pct, pctText(pct(t.a, t.b)), `${r.name} delta %`);
				assert.equal(r.suite, fx.suites.get(r.name), `${r.name} suite`);
			}
			const align = await page.$eval('#compare-table tbody td.base', td => getComputedStyle(td).textAlign);
			assert.equal(align, 'right');
		});

		await check('compare page: geomean -4.75 % as in FIXTURES.md', async () => {
			const g = await page.$eval('.card.geomean .card-value', e => e.textContent.trim());
			assert.equal(g, `${fx.geomeanPct} %`);
			const foot = await page.$eval('#compare-table tfoot tr.geomean .pct', e => e.textContent.trim());
			assert.equal(foot, `${fx.geomeanPct} %`);
			const improved = [...fx.totals.values()].filter(t => t.b < t.a).length;
			assert.equal(await page.$eval('[data-count=improved]', e => e.textContent), `${improved} improved`);
		});

		await check('compare page: the chart has one bar per benchmark', async () => {
			const c = await chartBars(page);
			assert.ok(c, 'a Chart.js chart on #delta-chart');
			assert.equal(c.bars, 6);
			assert.deepEqual([...c.labels].sort(), names);
			// and it is drawn: the canvas is not blank
			const inked = await page.$eval('#delta-chart', cv => {
				const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
				let n = 0;
				for (let i = 3; i < d.length; i += 4)
					n += d[i] > 0;
				return n;
			});
			assert.ok(inked > 1000, `chart pixels drawn: ${inked}`);
		});

		await check('clicking a bar selects its benchmark (URL and details)', async () => {
			const pos = await page.evaluate(() => {
				const c = window.Chart.getChart(document.getElementById('delta-chart'));
				const i = c.data.labels.indexOf('601.graphwalk_r');
				const bar = c.getDatasetMeta(0).data[i];
				const r = c.canvas.getBoundingClientRect();
				return {x: r.left + (bar.x + bar.base) / 2, y: r.top + bar.y};
			});
			await page.mouse.click(pos.x, pos.y);
			await page.waitForFunction(() => location.search.includes('bench=601.graphwalk_r'));
			await page.waitForSelector('#detail-functions');
			assert.ok((await page.$eval('#detail h2', e => e.textContent)).startsWith('601.graphwalk_r'));
			// where the delta comes from: the parts add up to the FIXTURES.md delta
			const t = fx.totals.get('601.graphwalk_r');
			const sum = sel => page.$$eval(sel, tds => tds.reduce((s, td) => s + BigInt(td.textContent.replace(/[^0-9-]/g, '') || '0'), 0n).toString());
			assert.equal(await sum('#detail-objects tbody td:nth-child(2)'), String(t.b - t.a), 'objects');
			assert.equal(await sum('#detail-functions tbody td:nth-child(2), #detail-functions tfoot td:nth-child(2)'),
				     String(t.b - t.a), 'functions');
			await page.click('#detail button');
			await page.waitForFunction(() => !location.search.includes('bench='));
		});

		await check('threshold filter changes the rows and the URL', async () => {
			await page.fill('#threshold', '1');
			await page.waitForFunction(() => location.search.includes('threshold=1'));
			// the server decides the changes: wait for its answer at 1 %
			await page.waitForSelector('.card.counts[data-threshold="1"]');
			const want = names.filter(n => Math.abs(pct(fx.totals.get(n).a, fx.totals.get(n).b)) > 1);
			assert.ok(want.length > 0 && want.length < 6, 'the oracle splits the rows');
			assert.deepEqual((await tableRows(page)).map(r => r.name), byMag(want));
			assert.equal((await chartBars(page)).bars, want.length);
		});

		await check('sorting by a header (keyboard): a numeric column sorts descending first', async () => {
			await page.focus('#compare-table thead button[data-key=pct]');
			await page.keyboard.press('Enter');
			await page.waitForFunction(() => new URLSearchParams(location.search).get('sort') === '-pct');
			const want = names.filter(n => Math.abs(pct(fx.totals.get(n).a, fx.totals.get(n).b)) > 1)
				.sort((x, y) => pct(fx.totals.get(x).a, fx.totals.get(x).b) - pct(fx.totals.get(y).a, fx.totals.get(y).b));
			assert.deepEqual((await tableRows(page)).map(r => r.name), want.slice().reverse());
			await page.focus('#compare-table thead button[data-key=pct]');
			await page.keyboard.press('Enter');
			await page.waitForFunction(() => new URLSearchParams(location.search).get('sort') === 'pct');
			assert.deepEqual((await tableRows(page)).map(r => r.name), want);
		});

		await check('Back undoes a filter change (pushState)', async () => {
			await page.check('#regressions-only');
			await page.waitForFunction(() => location.search.includes('regressions=1'));
			await page.goBack();
			await page.waitForFunction(() => !location.search.includes('regressions'));
			await page.waitForSelector('body[data-ready]');
			assert.equal(await page.isChecked('#regressions-only'), false);
			assert.equal(new URL(page.url()).searchParams.get('sort'), 'pct');
		});

		await check('regressions only changes the rows and the URL', async () => {
			await page.check('#regressions-only');
			await page.waitForFunction(() => location.search.includes('regressions=1'));
			const want = names.filter(n => pct(fx.totals.get(n).a, fx.totals.get(n).b) > 1);
			assert.deepEqual((await tableRows(page)).map(r => r.name), want);
			await page.uncheck('#regressions-only');
			await page.waitForFunction(() => !location.search.includes('regressions'));
		});

		await check('copy permalink, then reloading it restores the same view', async () => {
			await page.click('#compare-table tbody tr[data-bench="612.matmul_r"] a.bench-link');
			await page.waitForFunction(() => location.search.includes('bench=612.matmul_r'));
			await page.check('#objects');
			await page.waitForSelector('#compare-table th.obj');
			const before = {rows: await tableRows(page), thr: await page.inputValue('#threshold'),
					objects: await page.$$eval('#compare-table th.obj', t => t.length)};
			await page.click('#copy-permalink');
			const link = await page.evaluate(() => navigator.clipboard.readText());
			assert.equal(link, page.url());
			const p2 = await ctx.newPage();
			watch(p2, 'permalink');
			await open(p2, link);
			await p2.waitForSelector('#compare-table th.obj');
			assert.deepEqual(await tableRows(p2), before.rows);
			assert.equal(await p2.inputValue('#threshold'), before.thr);
			assert.equal(await p2.$$eval('#compare-table th.obj', t => t.length), before.objects);
			assert.equal(await p2.$eval('#detail h2', e => e.textContent.startsWith('612.matmul_r')), true);
			assert.equal(await p2.isChecked('#objects'), true);
			await p2.close();
		});

		await check('swap link, and regressions only on the swapped comparison', async () => {
			await open(page, cmp);
			await page.click('#swap');
			await page.waitForURL(`${url}/compare/${B}...${A}`);
			await page.waitForSelector('body[data-ready]');
			await page.check('#regressions-only');
			const want = names.filter(n => fx.totals.get(n).a > fx.totals.get(n).b);
			assert.equal(want.length, 6);
			assert.deepEqual((await tableRows(page)).map(r => r.name), byMag(want));
		});

		await check('a benchmark in one run only: flagged, warned about, left out of the geomean', async () => {
			await open(page, `${url}/compare/${A}...${PARTIAL}`);
			const rows = await tableRows(page);
			assert.deepEqual(rows.map(r => r.name), [...byMag(names.filter(n => n !== '612.matmul_r')), '612.matmul_r']);
			const only = rows.find(r => r.name === '612.matmul_r');
			assert.equal(only.pct, 'only in base');
			assert.equal(only.new, '\u2013');
			const warn = await page.$eval('#warnings', e => e.innerText);
			assert.match(warn, /Only in base \(1\): 612\.matmul_r/);
			// the geometric mean of the other five ratios, from FIXTURES.md
			const five = names.filter(n => n !== '612.matmul_r');
			const g = Math.exp(five.reduce((acc, n) => acc + Math.log(Number(fx.totals.get(n).b) / Number(fx.totals.get(n).a)), 0) / five.length);
			assert.equal(await page.$eval('.card.geomean .card-value', e => e.textContent.trim()), pctText((g - 1) * 100));
			assert.equal((await chartBars(page)).bars, 5);
		});

		await check('link preview: the shell names the selected benchmark and its delta', async () => {
			const t = fx.totals.get('612.matmul_r');
			const html = await (await fetch(`${cmp}?bench=612.matmul_r`)).text();
			const want = `612.matmul_r ${pctText(pct(t.a, t.b))}: ${A} \u2192 ${B}`;
			assert.ok(html.includes(`<title>${want}</title>`), html.slice(0, 600));
			assert.ok(html.includes(`<meta property="og:title" content="${want}">`));
			assert.ok(html.includes(`Geomean ${fx.geomeanPct} %`));
			// and where the delta comes from: the function the page lists first
			await open(page, `${cmp}?bench=612.matmul_r`);
			await page.waitForSelector('#detail-functions');
			const top = await page.$eval('#detail-functions tbody tr', tr =>
				`${tr.children[0].textContent} (${tr.children[3].textContent}) ${tr.children[1].textContent}`);
			assert.ok(html.includes(`Largest change: ${top}.`), top);
		});

		await check('static assets: content-hashed URLs, immutable caching, strict CSP on pages', async () => {
			const r = await fetch(cmp);
			const csp = r.headers.get('content-security-policy');
			assert.match(csp, /default-src 'none'/);
			assert.match(csp, /script-src 'self'/);
			assert.doesNotMatch(csp, /unsafe-inline/);
			const html = await r.text();
			const js = html.match(/src="(\/static\/[0-9a-f]{12}\/main\.js)"/);
			assert.ok(js, 'main.js under a versioned URL');
			const a = await fetch(url + js[1]);
			assert.equal(a.status, 200);
			assert.match(a.headers.get('content-type'), /^text\/javascript/);
			assert.match(a.headers.get('cache-control'), /immutable/);
			// node's fetch asks for gzip and br: the ETag names the coded bytes
			assert.match(a.headers.get('etag'), /^"[0-9a-f]{32}(-gzip|-br)?"$/);
			assert.match(a.headers.get('vary'), /Accept-Encoding/);
			const again = await fetch(url + js[1], {headers: {'If-None-Match': a.headers.get('etag')}});
			assert.equal(again.status, 304);
		});

		await check('history page: one point per run of the series, steps linked', async () => {
			await open(page, `${url}/history/600.lzpack_r?series=main`);
			const n = await page.evaluate(() =>
				window.Chart.getChart(document.getElementById('history-chart')).getDatasetMeta(0).data.length);
			assert.equal(n, 4, 'A, B, copy of B, copy of A');
			const rows = await page.$$eval('#history-table tbody tr', trs => trs.map(tr => tr.dataset.run));
			assert.deepEqual(rows, [A3, A2, B, A]);
			const steps = await page.$$eval('#history-table a.step-link', as => as.map(a => a.getAttribute('href')));
			assert.deepEqual(steps, [`/compare/${A2}...${A3}?bench=600.lzpack_r`,
						 `/compare/${A}...${B}?bench=600.lzpack_r`]);
		});

		await check('history: a step marker opens its regression, or else its comparison', async () => {
			// A2 -> A3 (B's counts, then A's) makes every benchmark worse: a
			// regression; A -> B makes every one better: none
			const regs = (await (await fetch(`${url}/api/v1/regressions?kind=regression&stale=1`)).json()).regressions;
			const reg = regs.find(r => r.base === A2 && r.new === A3);
			assert.ok(reg, 'the server recorded the regression of A2 -> A3');
			assert.ok(!regs.some(r => r.base === A && r.new === B), 'A -> B is no regression');
			const marker = async (chartId, i) => {
				await page.waitForSelector('.reg-link'); // the page has its answer
				const pos = await page.evaluate(([id, k]) => {
					const c = window.Chart.getChart(document.getElementById(id));
					const pt = c.getDatasetMeta(0).data[k];
					const r = c.canvas.getBoundingClientRect();
					return {x: r.left + pt.x, y: r.top + pt.y};
				}, [chartId, i]);
				await page.mouse.click(pos.x, pos.y);
			};
			const t = fx.totals.get('600.lzpack_r');
			// the step at A3 (the fourth point)
			await marker('history-chart', 3);
			await page.waitForURL(`${url}/regressions/${reg.id}`);
			await page.waitForSelector('body[data-ready]');
			// the step at B (the second point)
			await open(page, `${url}/history/600.lzpack_r?series=main`);
			await marker('history-chart', 1);
			await page.waitForURL(`${url}/compare/${A}...${B}?bench=600.lzpack_r`);
			await page.waitForSelector('body[data-ready]');
			assert.equal(await page.$eval('#detail h2 span', e => e.textContent), pctText(pct(t.a, t.b)));
			// the series history's markers do the same
			await open(page, `${url}/history?series=main`);
			await marker('series-chart', 3);
			await page.waitForURL(`${url}/regressions/${reg.id}`);
			await open(page, `${url}/history?series=main`);
			await marker('series-chart', 1);
			await page.waitForURL(`${url}/compare/${A}...${B}`);
			await page.waitForSelector('body[data-ready]');
		});

		await check('theme toggle: dark is kept across a reload', async () => {
			const p = await ctx.newPage();
			watch(p, 'theme');
			await open(p, `${url}/`);
			const bg0 = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
			await p.click('#theme-toggle'); // auto -> light
			await p.click('#theme-toggle'); // light -> dark
			assert.equal(await p.evaluate(() => document.documentElement.dataset.theme), 'dark');
			await p.reload();
			await p.waitForSelector('body[data-ready]');
			const bg1 = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
			assert.notEqual(bg1, bg0);
			assert.equal(await p.textContent('#theme-toggle'), 'Theme: dark');
			await p.click('#theme-toggle'); // back to auto
			await p.close();
		});

		await check('runs page: newest first, series filter, default pair is a run and its predecessor', async () => {
			await open(page, `${url}/`);
			const ids = await page.$$eval('#runs-table tbody tr', trs => trs.map(tr => tr.dataset.run));
			assert.deepEqual(ids, [EVIL, A3, A2, B, A, PARTIAL]);
			await page.selectOption('#series-filter', 'main');
			await page.waitForFunction(() => location.search.includes('series=main'));
			await page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length === 4);
			assert.equal(await page.getAttribute('#compare-go', 'href'), `/compare/${A2}...${A3}`);
			await page.check(`#runs-table tr[data-run="${A}"] input[name=base]`);
			await page.check(`#runs-table tr[data-run="${B}"] input[name=new]`);
			assert.equal(await page.getAttribute('#compare-go', 'href'), `/compare/${A}...${B}`);
			assert.match(page.url(), /base=/);
		});

		await check('runs page: each run against its previous run; latest changes on the first screen; / is never a dead end', async () => {
			await open(page, `${url}/`);
			// the newest run (EVIL) starts its own series: the default pair
			// is the newest run that has a previous run
			assert.equal(await page.getAttribute('#compare-go', 'href'), `/compare/${A2}...${A3}`);
			// A3 (a copy of A) against A2 (a copy of B): FIXTURES.md's B -> A
			const regressed = names.filter(n => fx.totals.get(n).a > fx.totals.get(n).b);
			const improved = names.filter(n => fx.totals.get(n).a < fx.totals.get(n).b);
			const geo = (Math.exp(names.reduce((acc, n) => acc + Math.log(Number(fx.totals.get(n).a) / Number(fx.totals.get(n).b)), 0) / names.length) - 1) * 100;
			const cell = `#runs-table tr[data-run="${A3}"] td.change`;
			assert.equal(await page.$eval(`${cell} .geo`, e => e.textContent), pctText(geo));
			assert.equal(await page.$eval(cell, e => e.dataset.regressed), String(regressed.length));
			assert.equal(await page.$eval(cell, e => e.dataset.improved), String(improved.length));
			const worst = regressed.sort((x, y) => pct(fx.totals.get(y).b, fx.totals.get(y).a) - pct(fx.totals.get(x).b, fx.totals.get(x).a))[0];
			assert.equal(await page.$eval(`${cell} a.worst`, e => e.getAttribute('href')),
				     `/compare/${A2}...${A3}?bench=${worst}`);
			assert.equal(await page.$eval(`${cell} a.worst .mono`, e => e.textContent), worst);
			// runs without a previous run of their series say so
			assert.match(await page.$eval(`#runs-table tr[data-run="${A}"] td.change`, e => e.textContent), /first of its series/);
			assert.match(await page.$eval(`#runs-table tr[data-run="${EVIL}"] td.change`, e => e.textContent), /first of its series/);
			// the latest-changes panel: in the first screen, main's newest pair
			const card = '#latest-changes .latest-card[data-series="main"]';
			const box = await page.$eval(card, e => e.getBoundingClientRect().top);
			assert.ok(box < 900, `latest changes at ${box}px`);
			assert.equal(await page.$eval(`${card} .latest-pair a`, e => e.textContent), `${A2} \u2192 ${A3}`);
			assert.equal(await page.$eval(`${card} .latest-geo`, e => e.firstChild.textContent), pctText(geo));
		});

		await check('compare page: both runs\' metadata and their neighbours in the series', async () => {
			await open(page, `${url}/compare/${B}...${A2}`);
			const base = await page.$eval('.run-card.run-base', e => e.innerText);
			assert.match(base, new RegExp(runMeta[B][1].commit.slice(0, 12)));
			assert.match(base, /gcc 12\.2 -O3/);
			assert.equal(await page.$eval('.run-card.run-base .prev-run', e => e.textContent), `\u2190 ${A}`);
			assert.equal(await page.$eval('.run-card.run-new .next-run', e => e.textContent), `${A3} \u2192`);
			assert.equal(await page.getAttribute('#prev-pair', 'href'), `/compare/${A}...${B}`);
			assert.equal(await page.getAttribute('#next-pair', 'href'), `/compare/${A2}...${A3}`);
		});

		await check('?bench= scrolls its panel into view', async () => {
			await open(page, `${url}/compare/${A}...${B}?bench=610.stencil_r`);
			await page.waitForSelector('#detail-functions');
			const top = await page.$eval('#detail', e => e.getBoundingClientRect().top);
			assert.ok(top >= 0 && top < 900, `#detail at ${top}px`);
		});

		await check('history without a series: one line per series, never a step across series', async () => {
			await open(page, `${url}/history/600.lzpack_r`);
			const lines = await page.evaluate(() =>
				window.Chart.getChart(document.getElementById('history-chart')).data.datasets.map(d => d.label));
			// every series with a run that has 600.lzpack_r (runMeta above)
			const want = [...new Set(Object.values(runMeta).map(([, m]) => m.series))].sort();
			assert.deepEqual([...lines].sort(), want);
			const seriesOf = Object.fromEntries(Object.entries(runMeta).map(([id, [, m]]) => [id, m.series]));
			const links = await page.$$eval('#history-table a.step-link, #history-table td.actions a:not(.reg-link)', as => as.map(a => a.getAttribute('href')));
			assert.ok(links.length > 0);
			for (const l of links) {
				const m = l.match(/^\/compare\/(.+)\.\.\.(.+)\?/);
				assert.equal(seriesOf[decodeURIComponent(m[1])], seriesOf[decodeURIComponent(m[2])], l);
			}
			assert.equal(await page.$$eval('#series-pick a', as => as.length), want.length);
		});

		await check('unknown benchmark or series: 404 naming it, page and API', async () => {
			// not watched: the browser logs each 404 it is answered
			const p404 = await ctx.newPage();
			for (const [path, word] of [['/history/999.none_r', '999.none_r'],
						    ['/history/600.lzpack_r?series=nope', 'nope'],
						    ['/history?series=nope', 'nope']]) {
				const r = await fetch(url + path);
				assert.equal(r.status, 404, path);
				const api = await fetch(url + (path.startsWith('/history?')
					? '/api/v1/series/nope/history' : '/api/v1' + path));
				assert.equal(api.status, 404, path);
				assert.match((await api.json()).error.message, new RegExp(word.replace('.', '\\.')));
				await p404.goto(url + path);
				await p404.waitForSelector('body[data-ready]');
				assert.match(await p404.$eval('#app', e => e.innerText), /Error 404/);
			}
			await p404.close();
		});

		await check('series history: the geomean, a thin line per benchmark, exact steps', async () => {
			await open(page, `${url}/history?series=main`);
			const ds = await page.evaluate(() =>
				window.Chart.getChart(document.getElementById('series-chart')).data.datasets.map(d => ({label: d.label, data: d.data})));
			assert.equal(ds.length, 1 + names.length);
			assert.deepEqual(ds.slice(1).map(d => d.label).sort(), names);
			// A, B, copy of B, copy of A: geomean 0, FIXTURES.md, same, 0
			assert.deepEqual(ds[0].data.map(x => pctText(x)), ['0.00 %', `${fx.geomeanPct} %`, `${fx.geomeanPct} %`, pctText(ds[0].data[3])]);
			assert.ok(Math.abs(ds[0].data[3]) < 1e-9);
			const steps = await page.$$eval('#series-table a.step-link', as => as.map(a => a.getAttribute('href')));
			assert.deepEqual(steps, [`/compare/${A2}...${A3}`, `/compare/${A}...${B}`]);
			assert.equal(await page.$$eval('#bench-pick option', os => os.length), names.length + 1);
		});

		await check('delta view of a benchmark in one run only shows that side', async () => {
			await open(page, `${url}/compare/${A}...${PARTIAL}/612.matmul_r`);
			assert.match(await page.$eval('#one-sided', e => e.textContent), /Only in base/);
			assert.equal(digits(await page.$eval('#one-sided-total .card-value', e => e.textContent)),
				     String(fx.totals.get('612.matmul_r').a));
		});

		await check('mix colours: distinguishable and never near white (light) or black (dark); labels contrast', async () => {
			for (const scheme of ['light', 'dark']) {
				const c = await browser.newContext({viewport: {width: 1280, height: 900}, colorScheme: scheme});
				const p = await c.newPage();
				watch(p, `mix ${scheme}`);
				await open(p, `${cmp}/612.matmul_r`);
				const segs = await p.$$eval('.mix-strip .seg', ss => ss.map(s => {
					const cs = getComputedStyle(s);
					return {cls: s.dataset.cls, bg: cs.backgroundColor, fg: cs.color, named: s.classList.contains('named')};
				}));
				assert.ok(segs.length > 4);
				const seen = new Map();
				for (const sg of segs) {
					const rgb = sg.bg.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
					const l = lightness(rgb);
					if (scheme === 'light')
						assert.ok(l < 95, `${sg.cls} lightness ${l} on white`);
					else
						assert.ok(l > 15, `${sg.cls} lightness ${l} on dark`);
					if (seen.has(sg.bg))
						assert.equal(seen.get(sg.bg), sg.cls, `${sg.cls} and ${seen.get(sg.bg)} share ${sg.bg}`);
					seen.set(sg.bg, sg.cls);
					if (sg.named) {
						const ratio = contrast(rgb, sg.fg.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number));
						assert.ok(ratio >= 4.5, `${sg.cls} label contrast ${ratio.toFixed(2)}`);
					}
				}
				await c.close();
			}
		});

		await check('contrast: sampled text on every page meets WCAG AA (4.5:1)', async () => {
			for (const scheme of ['light', 'dark']) {
				const c = await browser.newContext({viewport: {width: 1280, height: 900}, colorScheme: scheme});
				const p = await c.newPage();
				watch(p, `contrast ${scheme}`);
				const regs = (await (await fetch(`${url}/api/v1/regressions?kind=regression&stale=1`)).json()).regressions;
				for (const u of [`${url}/`, cmp, `${cmp}/612.matmul_r`, `${url}/runs/${A}`, `${url}/runs/${A}/612.matmul_r`,
						 `${url}/history/600.lzpack_r?series=main`, `${url}/history/600.lzpack_r`, `${url}/history?series=main`,
						 `${url}/history`, `${url}/regressions`, `${url}/regressions/${regs[0].id}`]) {
					await open(p, u);
					const bad = await p.evaluate(CONTRAST_PASS);
					assert.deepEqual(bad, [], `${scheme} ${u}`);
				}
				// the primary button (Compare on /), and the skip link once focused
				await open(p, `${url}/`);
				const btn = await p.$eval('.btn.primary', b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]);
				const rgbOf = x => x.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
				assert.ok(contrast(rgbOf(btn[0]), rgbOf(btn[1])) >= 4.5, `${scheme} primary button ${btn}`);
				await p.keyboard.press('Tab');
				const skip = await p.evaluate(() => {
					const a = document.activeElement, r = a.getBoundingClientRect(), cs = getComputedStyle(a);
					return {cls: a.className, href: a.getAttribute('href'), top: r.top, fg: cs.color, bg: cs.backgroundColor,
						target: Boolean(document.querySelector(a.getAttribute('href')))};
				});
				assert.equal(skip.cls, 'skip-link', 'the first Tab reaches the skip link');
				assert.ok(skip.top >= 0 && skip.target, `${scheme} skip link in view, to ${skip.href}`);
				assert.ok(contrast(rgbOf(skip.fg), rgbOf(skip.bg)) >= 4.5, `${scheme} skip link ${skip.fg} on ${skip.bg}`);
				await c.close();
			}
		});

		await check('weight: a first view transfers under 60 KB on / (no Chart.js) and 150 KB on any page', async () => {
			const regs = (await (await fetch(`${url}/api/v1/regressions?kind=regression&stale=1`)).json()).regressions;
			assert.ok(regs.length > 0);
			const sizes = {};
			for (const u of ['/', `/compare/${A}...${B}`, `/compare/${A}...${B}/612.matmul_r?function=main`,
					 `/runs/${A}`, `/runs/${A}/612.matmul_r`, '/history/600.lzpack_r?series=main',
					 '/history/600.lzpack_r', '/history?series=main', '/regressions', `/regressions/${regs[0].id}`]) {
				// a new context: an empty cache, as a first visit
				const c = await browser.newContext({viewport: {width: 1280, height: 900}});
				const p = await c.newPage();
				watch(p, `weight ${u}`);
				const cdp = await c.newCDPSession(p);
				await cdp.send('Network.enable');
				const urls = new Map();
				let bytes = 0;
				cdp.on('Network.responseReceived', e => urls.set(e.requestId, e.response));
				// bytes on the wire: headers and the (compressed) body
				cdp.on('Network.loadingFinished', e => { bytes += e.encodedDataLength; });
				await open(p, url + u);
				await p.waitForLoadState('networkidle');
				const got = [...urls.values()];
				if (u === '/')
					assert.ok(!got.some(r => r.url.includes('chart.umd.js')), 'Chart.js on /');
				// the browser asked for gzip and was answered in it
				const big = got.filter(r => /\/static\/.*\/(app\.css|lib\.js)$/.test(r.url));
				assert.ok(big.length === 2 && big.every(r => /gzip|br/.test(r.headers['Content-Encoding'] || r.headers['content-encoding'] || '')),
					  `${u}: compressed static files`);
				sizes[u] = bytes;
				await c.close();
			}
			console.log(`# transferred (bytes): ${JSON.stringify(sizes)}`);
			assert.ok(sizes['/'] < 60 * 1024, `/ transferred ${sizes['/']} bytes`);
			for (const [u, n] of Object.entries(sizes))
				assert.ok(n < 150 * 1024, `${u} transferred ${n} bytes`);
		});

		await check('layout at 1280 px: no table is wider than its container', async () => {
			const regs = (await (await fetch(`${url}/api/v1/regressions?kind=regression&stale=1`)).json()).regressions;
			const c = await browser.newContext({viewport: {width: 1280, height: 900}});
			const p = await c.newPage();
			watch(p, 'layout 1280');
			for (const u of ['/', '/?series=main', `${cmp.slice(url.length)}?bench=612.matmul_r`, `${cmp.slice(url.length)}/612.matmul_r?function=main`,
					 `/runs/${A}`, `/runs/${A}/612.matmul_r`, `/runs/${B}/612.matmul_r?n=10&function=main`,
					 '/history/600.lzpack_r?series=main', '/history/600.lzpack_r', '/history?series=main',
					 '/regressions', `/regressions/${regs[0].id}`]) {
				await open(p, url + u);
				const wide = await p.evaluate(() => [...document.querySelectorAll('table')].filter(t => {
					const box = t.parentElement;
					return t.getBoundingClientRect().width > box.clientWidth + 1 || box.scrollWidth > box.clientWidth + 1;
				}).map(t => `${t.id || t.className}: ${Math.round(t.getBoundingClientRect().width)} in ${t.parentElement.clientWidth}`));
				assert.deepEqual(wide, [], u);
			}
			// the runs table keeps its last column, Status, in view
			await open(p, `${url}/`);
			const [tr, wr] = await p.evaluate(() => [document.querySelector('#runs-table thead th:nth-last-child(2)').getBoundingClientRect().right,
				document.querySelector('#runs-table').parentElement.getBoundingClientRect().right]);
			assert.ok(tr <= wr, `Status ends at ${tr}, its box at ${wr}`);
			await c.close();
		});

		await check('phone: collapsed history rows say what each figure is', async () => {
			const c = await browser.newContext({viewport: {width: 390, height: 844}});
			const p = await c.newPage();
			watch(p, 'phone labels');
			for (const [u, id] of [['/history/600.lzpack_r?series=main', 'history-table'], ['/history?series=main', 'series-table'],
					       ['/history/600.lzpack_r', 'history-table']]) {
				await open(p, url + u);
				const seen = await p.evaluate(tid => {
					const t = document.getElementById(tid);
					const heads = [...t.querySelectorAll('thead th')].map(th => th.textContent.trim());
					return {
						theadShown: getComputedStyle(t.querySelector('thead')).display !== 'none',
						heads,
						cells: [...t.querySelectorAll('tbody tr')].flatMap(tr => [...tr.children].map((td, i) => ({
							i, tag: td.tagName, shown: getComputedStyle(td).display !== 'none' && td.textContent.trim() !== '',
							before: getComputedStyle(td, '::before').content,
							sr: Boolean(t.querySelector(`thead th:nth-child(${i + 1}) .sr-only`)),
						}))),
					};
				}, id);
				assert.ok(!seen.theadShown, `${u}: the rows collapse (the header is hidden)`);
				const figures = seen.cells.filter(x => x.tag === 'TD' && x.shown && !x.sr);
				assert.ok(figures.length >= 8, `${u}: figures shown`);
				for (const x of figures)
					assert.ok(x.before.includes(seen.heads[x.i]), `${u}: column ${seen.heads[x.i]} labelled, got ${x.before}`);
			}
			await c.close();
		});

		await check('hostile run metadata renders as text (no script runs, no element made)', async () => {
			const before = problems.length;
			const pages = [`${url}/`, `${url}/runs/${EVIL}`, `${url}/compare/${A}...${EVIL}`,
				       `${url}/history/600.lzpack_r?series=${encodeURIComponent(XSS_SERIES)}`];
			for (const u of pages) {
				await open(page, u);
				assert.equal(await page.$$eval('img[src=x], svg[onload], script:not([src])', e => e.length), 0, u);
			}
			await open(page, `${url}/runs/${EVIL}`);
			const text = await page.$eval('main', m => m.innerText);
			assert.ok(text.includes(XSS_SERIES), 'series shown literally');
			assert.ok(text.includes(XSS_COMMIT), 'commit shown literally');
			assert.equal(await page.title(), `${EVIL}: run in series ${XSS_SERIES}`);
			await open(page, `${url}/history/600.lzpack_r?series=${encodeURIComponent(XSS_SERIES)}`);
			assert.ok((await page.$eval('h1', h => h.textContent)).includes(XSS_SERIES));
			const shell = await (await fetch(`${url}/runs/${EVIL}`)).text();
			assert.ok(!shell.includes('<script>alert'), 'escaped in the shell');
			assert.ok(shell.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
			assert.deepEqual(problems.slice(before), []);
		});

		// ---- where the delta comes from (issue 5) ---------------------------
		const MM = '612.matmul_r';
		const mainA = countIn(A, MM, symbol(A, MM, 'main'));
		const mainB = countIn(B, MM, symbol(B, MM, 'main'));
		const tMM = fx.totals.get(MM);
		const sumText = (p, sel) => p.$$eval(sel, tds => tds.reduce((s, td) =>
			s + BigInt(td.firstChild.textContent.replace(/[^0-9-]/g, '') || '0'), 0n).toString());

		await check('benchmark page: the mix by class adds up to the FIXTURES.md total; missing ELF noted', async () => {
			assert.equal(mainA.total, tMM.a, 'the oracle reads the same total as FIXTURES.md');
			await open(page, `${url}/runs/${A}/${MM}`);
			await page.waitForSelector('#mix-classes');
			assert.equal(await sumText(page, '#mix-classes tbody td:nth-child(2)'), String(tMM.a), 'class rows');
			const segs = await page.$$eval('#mix > .mix-strip .seg', ss => ss.map(s => s.dataset.count));
			assert.equal(segs.reduce((a, n) => a + BigInt(n), 0n), tMM.a, 'strip segments');
			// the test server has no --sysroot: libc and ld.so have no bytes
			const note = await page.$eval('#mix', e => e.innerText);
			assert.match(note, new RegExp(`${(tMM.a - mainA.binary).toLocaleString('en-US')} instructions \\([^)]*\\) have no bytes to decode`));
			assert.equal(await page.$eval('#mix-decoder tbody tr:nth-child(4) td', td => td.textContent),
				     (tMM.a - mainA.binary).toLocaleString('en-US'));
			assert.ok(await page.$$eval('#blocks-list .block', b => b.length) > 0, 'hottest blocks listed');
		});

		await check('benchmark page: clicking a function filters the mix and the blocks; ?function= survives reload', async () => {
			await page.click('#functions-table tbody tr[data-fn="main"] a.fn-link');
			await page.waitForFunction(() => new URLSearchParams(location.search).get('function') === 'main');
			await page.waitForSelector('#focus-fn');
			const drawn = async p => {
				await p.waitForSelector('#mix-classes');
				return {
					sum: await sumText(p, '#mix-classes tbody td:nth-child(2)'),
					fns: await p.$$eval('#blocks-list .block .fn', fs => [...new Set(fs.map(f => f.textContent.replace(/\+\d+$/, '')))]),
					top: await p.$eval('#blocks-list .block .block-count strong', s => s.textContent),
					rows: await p.$$eval('#functions-table tbody tr.selected', trs => trs.map(tr => tr.dataset.fn)),
				};
			};
			const before = await drawn(page);
			assert.equal(before.sum, String(mainA.fn), 'the mix of main: its count from the .qemu_out rows in nm\'s range');
			assert.deepEqual(before.fns, ['main'], 'only main\'s blocks');
			assert.equal(before.top, mainA.hot.n.toLocaleString('en-US'), 'the hottest block of main');
			assert.deepEqual(before.rows, ['main']);
			await page.reload();
			await page.waitForSelector('body[data-ready]');
			assert.deepEqual(await drawn(page), before);
			await page.click('#focus-clear');
			await page.waitForFunction(() => !location.search.includes('function='));
			await page.waitForSelector('#mix-classes');
			assert.equal(await sumText(page, '#mix-classes tbody td:nth-child(2)'), String(tMM.a));
		});

		await check('compare panel links to the benchmark\'s own view', async () => {
			await open(page, `${cmp}?bench=${MM}`);
			await page.waitForSelector('#detail-full');
			await page.click('#detail-full');
			await page.waitForURL(`${url}/compare/${A}...${B}/${MM}`);
			await page.waitForSelector('body[data-ready]');
			assert.equal(await page.$eval('#delta-pct .card-value', e => e.textContent), pctText(pct(tMM.a, tMM.b)));
			// its History link stays in the new run's series (runMeta above)
			assert.equal(await page.$eval('#history-link', a => a.getAttribute('href')),
				     `/history/${MM}?series=${runMeta[B][1].series}`);
		});

		await check('delta page: the waterfall goes from the base to the new total; its parts add up; main carries it', async () => {
			await open(page, `${cmp}/${MM}`);
			const w = await page.evaluate(() => {
				const c = window.Chart.getChart(document.getElementById('waterfall-chart'));
				return {labels: c.data.labels, bars: c.data.datasets[0].data};
			});
			const n = w.bars.length;
			assert.equal(BigInt(w.bars[0][1]), tMM.a, 'first bar: the base total');
			assert.equal(BigInt(w.bars[n - 1][1]), tMM.b, 'last bar: the new total');
			let sum = 0n, at = tMM.a;
			for (const [from, to] of w.bars.slice(1, -1)) {
				assert.equal(BigInt(from), at, 'each step starts where the last ended');
				sum += BigInt(to) - BigInt(from);
				at = BigInt(to);
			}
			assert.equal(sum, tMM.b - tMM.a, 'the steps add up to the FIXTURES.md delta');
			const i = w.labels.indexOf('main');
			assert.equal(i, 1, 'main is the largest step');
			assert.equal(BigInt(w.bars[i][1]) - BigInt(w.bars[i][0]), mainB.fn - mainA.fn, 'main\'s delta, from the .qemu_out rows');
			const rest = (tMM.b - tMM.a) - (mainB.fn - mainA.fn);
			assert.ok(rest * 10000n < -(tMM.b - tMM.a) && -rest * 10000n < -(tMM.b - tMM.a), 'main carries > 99.99 %');
			// and the table says the same
			const row = await page.$eval('#delta-functions tbody tr[data-fn="main"]', tr =>
				[...tr.querySelectorAll('td')].map(td => td.textContent));
			assert.equal(digits(row[1]), String(mainA.fn));
			assert.equal(digits(row[2]), String(mainB.fn));
			assert.equal(row[7], 'changed', 'O2 and O3 code of main differ');
			assert.match(await page.$eval('#objdump-base code', c => c.textContent), /objdump .*--disassemble='main' /);
			// functions whose count did not move are folded away (?all=1 lists them)
			const moved = await page.$$eval('#delta-functions tbody tr[data-fn]', trs => trs.map(tr => tr.querySelector('.delta').textContent));
			assert.ok(moved.length >= 2 && moved.every(d => d !== '0'), moved.join());
			const folded = Number((await page.textContent('#toggle-unmoved')).match(/Show (\d+) more/)[1]);
			assert.ok(folded > 0);
			await page.click('#toggle-unmoved');
			await page.waitForFunction(() => location.search.includes('all=1'));
			assert.equal(await page.$$eval('#delta-functions tbody tr[data-fn]', t => t.length), moved.length + folded);
			assert.ok(await page.$$eval('#delta-functions tbody tr[data-fn]', trs => trs.some(tr => tr.querySelector('.delta').textContent === '0')));
			await page.click('#toggle-unmoved');
			await page.waitForFunction(() => !location.search.includes('all=1'));
		});

		await check('delta page: stacked mix bars add up to both totals, the class deltas to the delta', async () => {
			const counts = await page.$$eval('#mix-bars .mix-strip', ss => ss.map(s =>
				[...s.querySelectorAll('.seg')].map(x => x.dataset.count)));
			assert.equal(counts.length, 2);
			assert.equal(counts[0].reduce((a, n) => a + BigInt(n), 0n), tMM.a, 'base bar');
			assert.equal(counts[1].reduce((a, n) => a + BigInt(n), 0n), tMM.b, 'new bar');
			// new is the shorter bar, drawn to scale
			const widths = await page.$$eval('#mix-bars .mix-strip', ss => ss.map(s =>
				[...s.querySelectorAll('.seg')].reduce((a, x) => a + x.getBoundingClientRect().width, 0)));
			assert.ok(Math.abs(widths[1] / widths[0] - Number(tMM.b) / Number(tMM.a)) < 0.01, `widths ${widths}`);
			assert.equal(await sumText(page, '#mix-delta tbody td:nth-child(4)'), String(tMM.b - tMM.a));
			assert.ok(await page.$$eval('#mix-mnemonics tbody tr', r => r.length) > 0);
			assert.match(await page.$eval('#reproduce-line code', c => c.textContent), /^qemu-riscv64 .*hotblocks.*612\.matmul_r/);
		});

		await check('delta page: the blocks of main side by side, as objdump disassembles them', async () => {
			for (const [side, run, o] of [['base', A, mainA], ['new', B, mainB]]) {
				const blocks = await page.$$eval(`#side-by-side .side-${side} .block`, bs => bs.map(b => ({
					addr: b.dataset.addr,
					count: b.querySelector('.block-count strong').textContent,
					mn: [...b.querySelectorAll('td.m')].map(td => td.firstChild.textContent),
				})));
				assert.ok(blocks.length > 0, `${side}: blocks`);
				assert.equal(blocks[0].addr, '0x' + o.hot.addr.toString(16), `${side}: the hottest block of main`);
				assert.equal(blocks[0].count, o.hot.n.toLocaleString('en-US'));
				assert.deepEqual(blocks[0].mn, objdumpMnemonics(run, MM, o.hot.addr, o.hot.icount), `${side}: objdump agrees`);
			}
			// five blocks a side until "more"
			assert.ok(await page.$$eval('#side-by-side .side-new .block', b => b.length) <= 5);
			if (await page.$('#side-by-side .side-new .more-blocks'))
				await page.click('#side-by-side .side-new .more-blocks');
			// the O3 build's Zba/Zbb instructions come from the fallback decoder, marked
			const marked = await page.$$eval('#side-by-side .side-new tr.by-fallback td.m', t => t.map(x => x.firstChild.textContent));
			assert.ok(marked.length > 0 && marked.every(m => /^(sh[123]add|add\.uw|min|max|zext|sext|slli\.uw|bset)/.test(m)), marked.join());
			assert.equal(await page.$$eval('#side-by-side .side-new tr.by-fallback abbr.by-mark', a => a.length), marked.length);
		});

		await check('delta page: choosing a function puts it in the URL; ?function= survives reload', async () => {
			// without --sysroot libc is "[not symbolized]", a name ld.so has
			// too: the URL needs the object as well
			const NS = '[not symbolized]';
			await page.click(`#delta-functions tbody tr[data-fn="${NS}"][data-object="libc.so.6"] a.fn-link`);
			await page.waitForFunction(() => location.search.includes('object=libc.so.6'));
			const q = new URL(page.url()).searchParams;
			assert.equal(q.get('function'), NS);
			await page.waitForFunction(n => document.getElementById('blocks-fn').textContent === n &&
				document.getElementById('side-by-side'), NS);
			await page.reload();
			await page.waitForSelector('body[data-ready]');
			assert.equal(await page.$eval('#blocks-fn', e => e.textContent), NS);
			assert.deepEqual(JSON.parse(await page.inputValue('#function-pick')), [NS, 'libc.so.6']);
			assert.deepEqual(await page.$$eval('#delta-functions tr.selected', trs => trs.map(tr => tr.dataset.object)), ['libc.so.6']);
			// libc's bytes are missing too, and the page says so
			assert.ok(await page.$$eval('#side-by-side .block', b => b.length) > 0);
			assert.equal(await page.$$eval('#side-by-side .block tr', r => r.length), 0);
			assert.ok((await page.$$eval('#side-by-side .no-code', p => p.length)) > 0);
			await page.selectOption('#function-pick', JSON.stringify(['main', MM]));
			await page.waitForFunction(() => new URLSearchParams(location.search).get('function') === 'main' &&
				!location.search.includes('object='));
			await page.waitForFunction(() => document.querySelectorAll('#side-by-side .side-base .block tr').length > 0);
		});

		await check('delta page link preview names the function and its counts', async () => {
			const html = await (await fetch(`${cmp}/${MM}?function=main`)).text();
			assert.ok(html.includes(`<title>${MM} ${pctText(pct(tMM.a, tMM.b))}: ${A} \u2192 ${B} \u00b7 main</title>`), html.slice(0, 600));
			const f = n => n.toLocaleString('en-US');
			assert.ok(html.includes(`main (${MM}): ${f(mainA.fn)} \u2192 ${f(mainB.fn)} (${f(mainB.fn - mainA.fn)}, `), html.slice(0, 900));
			assert.ok(html.includes('data-page="delta"'));
		});

		await check('screenshots of every page: 1280 and 390 wide, light and dark', async () => {
			const shots = {
				runs: `${url}/?series=main`,
				compare: `${cmp}?bench=612.matmul_r`,
				run: `${url}/runs/${A}`,
				benchmark: `${url}/runs/${A}/612.matmul_r`,
				'benchmark-function': `${url}/runs/${B}/612.matmul_r?n=10&function=main`,
				delta: `${cmp}/612.matmul_r?function=main`,
				history: `${url}/history/600.lzpack_r?series=main`,
				'history-all-series': `${url}/history/600.lzpack_r`,
				'series-history': `${url}/history?series=main`,
			};
			for (const scheme of ['light', 'dark'])
				for (const [w, h, label] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) {
					const c = await browser.newContext({viewport: {width: w, height: h},
						colorScheme: scheme, deviceScaleFactor: 1});
					const p = await c.newPage();
					watch(p, `screenshot ${label} ${scheme}`);
					for (const [name, u] of Object.entries(shots)) {
						await open(p, u);
						const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
						assert.equal(bg === 'rgb(255, 255, 255)', scheme === 'light', `${name} ${scheme} background ${bg}`);
						const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
						assert.ok(overflow <= 0, `${name} at ${w}px scrolls sideways by ${overflow}px`);
						await p.screenshot({path: path.join(artifacts, `${name}-${label}-${scheme}.png`), fullPage: true});
					}
					await c.close();
				}
		});

		await check('no page errors, console errors, CSP violations or dialogs', async () => {
			assert.deepEqual(problems, []);
		});
	} finally {
		if (browser)
			await browser.close();
		proc.kill('SIGTERM');
		const code = proc.exitCode !== null ? proc.exitCode
			: await new Promise(res => proc.once('exit', c => res(c)));
		// a clean stop (under ASan this also means no leak report)
		await check('the server stops cleanly', async () => {
			assert.equal(code, 0, fs.readFileSync(path.join(tmp, 'server.log'), 'utf8').slice(-3000));
		});
		if (!failures)
			fs.rmSync(tmp, {recursive: true, force: true});
		else
			console.log(`# kept ${tmp} (server.log)`);
	}
	console.log(`1..${count}`);
	if (failures) {
		console.log(`# ${failures} of ${count} failed`);
		process.exit(1);
	}
}

main().catch(err => {
	console.error(err);
	process.exit(1);
});
