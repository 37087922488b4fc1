// SPDX-License-Identifier: MIT
//
// node rate_page.mjs SERVER_URL BENCH_PAGE COUNTS_JSON SCREENSHOT [COMPARE_PAGE]
//
// The benchmark page of a run recorded with `tbscope record --rate` in
// Debian's headless Chromium (playwright-core from tests/browser): one
// chart per invocation, each drawn by Chart.js with the number of
// intervals the .rate file has (COUNTS_JSON, read by test_rate.py from the
// files) plus the starting point; a screenshot of the page's rate section
// to SCREENSHOT.  With COMPARE_PAGE, that page shows the comparability
// warning.
import assert from 'node:assert/strict';
import {createRequire} from 'node:module';

const require = createRequire(new URL('../browser/package.json', import.meta.url));
const {chromium} = require('playwright-core');

const [url, page, countsJson, shot, comparePage] = process.argv.slice(2);
const counts = JSON.parse(countsJson);
const browser = await chromium.launch({executablePath: process.env.TBSCOPE_CHROMIUM || '/usr/bin/chromium'});
try {
	const ctx = await browser.newContext({viewport: {width: 1280, height: 900}, deviceScaleFactor: 1});
	const p = await ctx.newPage();
	const errors = [];
	p.on('pageerror', e => errors.push(String(e)));
	await p.goto(url + page);
	await p.waitForSelector('#rate figure canvas', {timeout: 20000});
	const got = await p.evaluate(() => [...document.querySelectorAll('#rate figure')].map(f => {
		const c = window.Chart.getChart(f.querySelector('canvas'));
		return {intervals: Number(f.dataset.intervals), points: c ? c.data.datasets[0].data.length : -1,
			height: f.querySelector('canvas').getBoundingClientRect().height};
	}));
	assert.equal(got.length, counts.length, 'one chart per invocation');
	got.forEach((g, i) => {
		assert.equal(g.intervals, counts[i], `invocation ${i}: intervals`);
		assert.equal(g.points, counts[i] + 1, `invocation ${i}: the chart's points`);
		assert.ok(g.height > 100, `invocation ${i}: the chart is drawn`);
	});
	const section = await p.$('#rate');
	await section.screenshot({path: shot});
	if (comparePage) {
		await p.goto(url + comparePage);
		await p.waitForSelector('#recording-warning', {timeout: 20000});
		const text = await p.textContent('#recording-warning');
		assert.match(text, /plugin options/);
		assert.match(text, /inline=on/);
	}
	assert.deepEqual(errors, [], 'no page errors');
	console.log('ok', JSON.stringify(got));
} finally {
	await browser.close();
}
