// SPDX-License-Identifier: MIT
// Entry point: the server's HTML shell names the page in <body data-page>;
// each page module draws what its JSON API twin returns.
import {el, errorBox} from './lib.js';
import * as runs from './runs.js';
import * as compare from './compare.js';
import * as run from './run.js';
import * as benchmark from './benchmark.js';
import * as historyPage from './history.js';
import * as delta from './delta.js';
import * as regressions from './regressions.js';

const pages = {runs, compare, run, benchmark, delta, history: historyPage,
	regressions, regression: regressions};
const THEMES = ['auto', 'light', 'dark'];

function currentTheme() {
	return document.documentElement.dataset.theme || 'auto';
}

function setupTheme(redraw) {
	const b = document.getElementById('theme-toggle');
	const label = () => {
		const t = currentTheme();
		b.textContent = t === 'auto' ? 'Theme: auto' : t === 'light' ? 'Theme: light' : 'Theme: dark';
		b.title = 'Cycle the colour theme (auto follows the system)';
	};
	label();
	b.addEventListener('click', () => {
		const next = THEMES[(THEMES.indexOf(currentTheme()) + 1) % THEMES.length];
		if (next === 'auto')
			delete document.documentElement.dataset.theme;
		else
			document.documentElement.dataset.theme = next;
		try {
			if (next === 'auto')
				localStorage.removeItem('tbscope-theme');
			else
				localStorage.setItem('tbscope-theme', next);
		} catch (e) { /* private mode: the choice lasts this page */ }
		// a ?theme= in the URL would override the choice on reload
		const q = new URLSearchParams(location.search);
		if (q.has('theme')) {
			q.delete('theme');
			const s = q.toString();
			history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
		}
		label();
		redraw();
	});
	matchMedia('(prefers-color-scheme: dark)').addEventListener('change', redraw);
}

async function main() {
	const name = document.body.dataset.page;
	const app = document.getElementById('app');
	const page = pages[name];
	if (!page) {
		app.replaceChildren(el('p', {}, 'Nothing here. ', el('a', {href: '/'}, 'See all runs.')));
		setupTheme(() => {});
		return;
	}
	setupTheme(() => page.redraw && page.redraw());
	try {
		await page.render(app);
	} catch (err) {
		console.error(err);
		app.replaceChildren(errorBox(err));
	}
	document.body.dataset.ready = '1';
}

main();
