// SPDX-License-Identifier: MIT
// Entry point: the server's HTML shell names the page in <body data-page>;
// each page module draws what its JSON API twin returns.
// Each page's module is loaded only on that page (and Chart.js only by
// the pages that draw a chart: lib.js loadChart()).
import {el, errorBox} from './lib.js';

const pages = {
	runs: () => import('./runs.js'),
	compare: () => import('./compare.js'),
	run: () => import('./run.js'),
	benchmark: () => import('./benchmark.js'),
	delta: () => import('./delta.js'),
	history: () => import('./history.js'),
	regressions: () => import('./regressions.js'),
	regression: () => import('./regressions.js'),
};
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
	if (!pages[name]) {
		app.replaceChildren(el('p', {}, 'Nothing here. ', el('a', {href: '/'}, 'See all runs.')));
		setupTheme(() => {});
		document.body.dataset.ready = '1';
		return;
	}
	const page = await pages[name]();
	setupTheme(() => page.redraw && page.redraw());
	const draw = async () => {
		try {
			await page.render(app);
		} catch (err) {
			// a 4xx is the answer (say, 404: no such series): shown, not a fault
			if (!(err.status >= 400 && err.status < 500))
				console.error(err);
			app.replaceChildren(errorBox(err));
		}
	};
	// Back and Forward undo and redo a choice kept in the URL
	window.addEventListener('popstate', async () => {
		delete document.body.dataset.ready;
		await draw();
		document.body.dataset.ready = '1';
	});
	await draw();
	document.body.dataset.ready = '1';
}

main();
