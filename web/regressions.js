// SPDX-License-Identifier: MIT
// /regressions and /regressions/<id>: the regression tracker.
//
// The list draws GET /api/v1/regressions?series=&state=&kind= (newest run
// pair first): the run pair, each benchmark's delta and the function that
// carries most of it, the state and the age.  The permalink draws
// GET /api/v1/regressions/<id>: the delta of each benchmark (with a link to
// its waterfall and functions, the delta view), the state buttons, the
// note (Markdown, rendered here as DOM nodes: never as HTML), the links and
// the history of changes.
//
// Changing a state needs a token with the triage scope.  The page asks
// for it once and keeps it in localStorage; it is sent only as
// "Authorization: Bearer" on the PATCH, never in a URL or a cookie.
import {api, ApiError, el, enc, errorBox, fill, fmtInt, fmtPct, fmtSigned, fmtTime, href,
	setCrumbs, setHeading, setState, state, tableWrap} from './lib.js';

const TOKEN_KEY = 'tbscope-triage-token';
const STATES = ['new', 'acknowledged', 'investigating', 'fixed', 'expected', 'wontfix'];
const STATE_HELP = {
	new: 'not looked at yet',
	acknowledged: 'seen, someone will look',
	investigating: 'being looked into',
	fixed: 'a later change fixed it',
	expected: 'an accepted trade-off',
	wontfix: 'will not be fixed',
};

function changeClassOf(change) {
	return {regressed: 'dir-bad', missing: 'dir-bad', failed: 'dir-bad',
		improved: 'dir-good', added: 'dir-none'}[change] || 'dir-none';
}

// "3 days", "5 h", "12 min": how long ago an ISO time was.
function age(iso) {
	const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
	if (s < 3600)
		return `${Math.floor(s / 60)} min`;
	if (s < 86400 * 2)
		return `${Math.floor(s / 3600)} h`;
	return `${Math.floor(s / 86400)} days`;
}

function stateBadge(r) {
	if (r.kind !== 'regression')
		return el('span', {class: 'rg-state rg-improvement'}, 'improvement');
	return el('span', {class: `rg-state rg-${r.state}`, title: STATE_HELP[r.state] || ''}, r.state);
}

function pairLink(r) {
	return el('a', {href: `/compare/${enc(r.base)}...${enc(r.new)}`},
		r.base, ' \u2192 ', r.new);
}

function deltaLink(r, c) {
	return `/compare/${enc(r.base)}...${enc(r.new)}/${enc(c.benchmark)}`;
}

// ---- safe Markdown ---------------------------------------------------------

// Inline Markdown of one line as DOM nodes: `code`, **bold**, *em*,
// [text](http(s) URL) and bare http(s) URLs.  Everything else is text.
function inline(text) {
	const out = [];
	const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*]+\*)|(\[[^\]]+\]\(https?:\/\/[^\s)]+\))|(https?:\/\/[^\s<>)]+)/g;
	let last = 0, m;
	while ((m = re.exec(text)) !== null) {
		if (m.index > last)
			out.push(text.slice(last, m.index));
		const t = m[0];
		if (m[1])
			out.push(el('code', {}, t.slice(1, -1)));
		else if (m[2])
			out.push(el('strong', {}, t.slice(2, -2)));
		else if (m[3])
			out.push(el('em', {}, t.slice(1, -1)));
		else if (m[4]) {
			const i = t.indexOf('](');
			out.push(el('a', {href: t.slice(i + 2, -1), rel: 'noopener noreferrer nofollow'}, t.slice(1, i)));
		} else
			out.push(el('a', {href: t, rel: 'noopener noreferrer nofollow'}, t));
		last = m.index + t.length;
	}
	if (last < text.length)
		out.push(text.slice(last));
	return out;
}

// Paragraphs, "- " lists and ``` blocks; the rest is inline().
export function markdown(text) {
	const root = el('div', {class: 'rg-note'});
	const lines = String(text || '').split(/\r?\n/);
	let para = [], list = null, code = null;
	const flush = () => {
		if (para.length)
			root.append(el('p', {}, inline(para.join(' '))));
		para = [];
	};
	for (const line of lines) {
		if (code !== null) {
			if (line.startsWith('```')) {
				root.append(el('pre', {}, el('code', {}, code.join('\n'))));
				code = null;
			} else {
				code.push(line);
			}
			continue;
		}
		if (line.startsWith('```')) {
			flush();
			list = null;
			code = [];
		} else if (/^\s*[-*] /.test(line)) {
			flush();
			if (!list) {
				list = el('ul', {});
				root.append(list);
			}
			list.append(el('li', {}, inline(line.replace(/^\s*[-*] /, ''))));
		} else if (!line.trim()) {
			flush();
			list = null;
		} else {
			list = null;
			para.push(line.trim());
		}
	}
	if (code !== null)
		root.append(el('pre', {}, el('code', {}, code.join('\n'))));
	flush();
	return root;
}

// ---- the token ---------------------------------------------------------------

function getToken() {
	try {
		return localStorage.getItem(TOKEN_KEY) || '';
	} catch (e) {
		return '';
	}
}

function setToken(t) {
	try {
		if (t)
			localStorage.setItem(TOKEN_KEY, t);
		else
			localStorage.removeItem(TOKEN_KEY);
	} catch (e) { /* private mode: ask again next time */ }
}

async function patchRegression(id, body) {
	const r = await fetch(`/api/v1/regressions/${enc(id)}`, {
		method: 'PATCH',
		headers: {'Content-Type': 'application/json', Accept: 'application/json',
			  Authorization: `Bearer ${getToken()}`},
		body: JSON.stringify(body),
	});
	const data = await r.json().catch(() => null);
	if (!r.ok)
		throw new ApiError(r.status, data && data.error ? data.error.message : r.statusText);
	return data;
}

// ---- the list ----------------------------------------------------------------

function changeSummary(r) {
	return el('ul', {class: 'rg-changes'}, r.changes.map(c => el('li', {},
		el('a', {href: deltaLink(r, c)}, c.benchmark), ' ',
		c.change === 'regressed' || c.change === 'improved'
			? el('span', {class: changeClassOf(c.change)}, fmtSigned(c.delta), ' (', fmtPct(c.delta_pct), ')')
			: el('span', {class: changeClassOf(c.change)}, c.change),
		c.function ? el('span', {class: 'rg-fn'}, ' \u00b7 ', el('code', {}, c.function)) : null)));
}

async function renderList(app) {
	const q = state();
	const series = q.get('series') || '';
	const raw = q.get('state');
	const st = raw === null ? 'open' : raw === 'any' ? '' : raw;
	const kind = q.get('kind') || 'regression';
	setCrumbs([['Runs', '/'], ['Regressions']]);
	const query = {series, state: kind === 'regression' ? st : '', kind};
	const data = await api(href('/api/v1/regressions', query));
	const all = await api(href('/api/v1/regressions', {kind, stale: 1})).catch(() => ({regressions: []}));
	const seriesNames = [...new Set(all.regressions.map(r => r.series))].sort();

	const sSel = el('select', {id: 'rg-series', 'aria-label': 'Series'},
		el('option', {value: ''}, 'all series'),
		seriesNames.map(s => el('option', {value: s, selected: s === series}, s)));
	const stSel = el('select', {id: 'rg-state-filter', 'aria-label': 'State', disabled: kind !== 'regression'},
		[['open', 'open'], ['', 'any state'], ['closed', 'closed'], ...STATES.map(s => [s, s])]
			.map(([v, label]) => el('option', {value: v, selected: v === st}, label)));
	const kSel = el('select', {id: 'rg-kind', 'aria-label': 'Kind'},
		[['regression', 'regressions'], ['improvement', 'improvements']]
			.map(([v, label]) => el('option', {value: v, selected: v === kind}, label)));
	const change = () => {
		setState({series: sSel.value, state: stSel.value === 'open' ? null : (stSel.value || 'any'),
			  kind: kSel.value === 'regression' ? null : kSel.value});
		renderList(app);
	};
	for (const s of [sSel, stSel, kSel])
		s.addEventListener('change', change);

	const what = kind === 'regression' ? 'regressions' : 'improvements';
	setHeading(series ? `Regressions in series ${series}` : 'Regressions',
		[`${data.regressions.length} ${kind === 'regression' && st ? st + ' ' : ''}${what}, newest first. `,
		 'Every benchmark past the series\u2019 threshold between a run and the previous run of its series is a change; exact counts, no noise model. ',
		 el('a', {href: href('/feeds/regressions.atom', {series}), class: 'feed'}, 'Atom feed')]);
	const rows = data.regressions.map(r => el('tr', {class: 'rg-row', dataset: {id: r.id}},
		el('td', {}, el('a', {href: `/regressions/${r.id}`, class: 'rg-id'}, `#${r.id}`)),
		el('td', {}, r.series),
		el('td', {}, pairLink(r)),
		el('td', {}, changeSummary(r)),
		el('td', {}, stateBadge(r), r.looks_fixed_by
			? el('div', {class: 'rg-fixed'}, 'looks fixed by ', el('a', {href: `/runs/${enc(r.looks_fixed_by)}`}, r.looks_fixed_by))
			: null),
		el('td', {class: 'num', title: fmtTime(r.opened)}, age(r.opened))));
	fill(app,
		el('div', {class: 'controls rg-controls'}, sSel, kSel, stSel),
		rows.length
			? tableWrap(el('table', {class: 'data rg-list', id: 'rg-list'},
				el('thead', {}, el('tr', {}, ['', 'Series', 'Run pair', 'Benchmarks: \u0394, \u0394 %, function',
							      'State', 'Age'].map(h => el('th', {scope: 'col'}, h)))),
				el('tbody', {}, rows)))
			: el('p', {class: 'empty'}, `No ${what} here.`));
}

// ---- the permalink -------------------------------------------------------------

function changesTable(r, onPick) {
	return tableWrap(el('table', {class: 'data rg-detail', id: 'rg-changes'},
		el('thead', {}, el('tr', {},
			['Benchmark', 'Change', 'Base', 'New', '\u0394', '\u0394 %', 'Function that carries most of it', '']
				.map((h, i) => el('th', {scope: 'col', class: i >= 2 && i <= 5 ? 'num' : null}, h)))),
		el('tbody', {}, r.changes.map(c => el('tr', {dataset: {bench: c.benchmark}},
			el('td', {}, ['regressed', 'improved', 'failed'].includes(c.change)
				? el('button', {type: 'button', class: 'linkish', title: 'Show where its delta comes from',
						onclick: () => onPick(c.benchmark)}, c.benchmark)
				: c.benchmark),
			el('td', {class: changeClassOf(c.change)}, c.change),
			el('td', {class: 'num'}, c.change === 'added' ? '\u2013' : fmtInt(c.base)),
			el('td', {class: 'num'}, c.change === 'missing' ? '\u2013' : fmtInt(c.new)),
			el('td', {class: `num ${changeClassOf(c.change)}`}, fmtSigned(c.delta)),
			el('td', {class: `num pct ${changeClassOf(c.change)}`}, fmtPct(c.delta_pct)),
			el('td', {}, c.function
				? [el('code', {}, c.function), ' ', el('span', {class: 'muted'}, `(${c.object}) `),
				   el('span', {class: changeClassOf(c.change)}, fmtSigned(c.function_delta))]
				: '\u2013'),
			el('td', {}, c.change === 'regressed' || c.change === 'improved' || c.change === 'failed'
				? el('a', {href: deltaLink(r, c)}, 'waterfall & functions')
				: null))))));
}

// A bar |delta| / max wide (CSSOM: the CSP allows no style attribute).
function bar(delta, max) {
	const b = el('span', {class: `rg-bar ${delta > 0 ? 'up' : 'down'}`});
	b.style.width = `${(Math.abs(delta) / max * 100).toFixed(1)}%`;
	return b;
}

// Where one benchmark's delta comes from: the functions that moved most
// (GET /api/v1/compare/BASE...NEW/BENCH, the delta view's data) as bars,
// the rest summed, so the parts add up to the delta; the full waterfall
// is the delta view.
async function whereFrom(r, bench, box) {
	const c = r.changes.find(x => x.benchmark === bench);
	if (!c || !['regressed', 'improved', 'failed'].includes(c.change)) {
		fill(box);
		return;
	}
	fill(box, el('p', {class: 'loading'}, `Loading where the delta of ${bench} comes from\u2026`));
	let d;
	try {
		d = await api(href(`/api/v1/compare/${enc(r.base)}...${enc(r.new)}/${enc(bench)}`, {limit: 8}));
	} catch (err) {
		fill(box, errorBox(err));
		return;
	}
	// the functions that moved; the rest (those that did not move too) summed
	const moved = d.functions.filter(f => Number(f.delta) !== 0);
	const parts = moved.map(f => ({label: f.name, object: f.object, delta: Number(f.delta), share: f.share_pct}));
	const rest = Number(d.functions_other.count) + d.functions.length - moved.length;
	if (rest)
		parts.push({label: `${rest} other function${rest === 1 ? '' : 's'}`, object: null,
			    delta: Number(d.functions_other.delta), share: d.functions_other.share_pct});
	const max = Math.max(1, ...parts.map(p => Math.abs(p.delta)));
	fill(box,
		el('h2', {}, `Where the delta of ${bench} comes from`),
		el('p', {class: 'muted'}, `${fmtSigned(c.delta)} instructions in all, by function; `,
			el('a', {href: deltaLink(r, c)}, 'the waterfall, blocks and instruction mix'), '.'),
		el('table', {class: 'data rg-where', id: 'rg-where', dataset: {bench}},
			el('tbody', {}, parts.map(p => el('tr', {},
				el('td', {class: 'rg-where-name'}, p.object ? el('code', {}, p.label) : p.label,
					p.object ? el('span', {class: 'muted'}, ` (${p.object})`) : null),
				el('td', {class: 'rg-where-bar'}, bar(p.delta, max)),
				el('td', {class: `num ${p.delta > 0 ? 'dir-bad' : p.delta < 0 ? 'dir-good' : ''}`}, fmtSigned(p.delta)),
				el('td', {class: 'num muted'}, p.share === null || p.share === undefined ? '' : `${p.share.toFixed(1)} %`))))));
}

function tokenBox(onChange) {
	const have = getToken();
	if (have)
		return el('p', {class: 'rg-token'}, 'A triage token is kept in this browser. ',
			el('button', {type: 'button', class: 'btn ghost', id: 'rg-forget',
				      onclick: () => { setToken(''); onChange(); }}, 'Forget it'));
	const input = el('input', {type: 'password', id: 'rg-token-input', autocomplete: 'off',
				   placeholder: 'tbs_\u2026', 'aria-label': 'Token with the triage scope'});
	const form = el('form', {class: 'rg-token', id: 'rg-token-form'},
		el('label', {for: 'rg-token-input'}, 'Token with the triage scope (asked once, kept in this browser): '),
		input, ' ', el('button', {type: 'submit', class: 'btn'}, 'Keep'));
	form.addEventListener('submit', e => {
		e.preventDefault();
		if (input.value.trim()) {
			setToken(input.value.trim());
			onChange();
		}
	});
	return form;
}

function linkList(links) {
	if (!links || !links.length)
		return null;
	return el('ul', {class: 'rg-links'}, links.map(l => el('li', {},
		`${l.kind}: `, el('a', {href: l.url, rel: 'noopener noreferrer nofollow'}, l.url))));
}

function triagePanel(r, redraw) {
	const msg = el('div', {class: 'rg-msg', role: 'status'});
	const send = async body => {
		fill(msg, 'Saving\u2026');
		try {
			await patchRegression(r.id, body);
			await redraw();
		} catch (err) {
			fill(msg, errorBox(err));
			if (err.status === 401)
				setToken('');
		}
	};
	const buttons = el('div', {class: 'rg-buttons', role: 'group', 'aria-label': 'State'},
		STATES.map(s => el('button', {type: 'button', class: `btn${s === r.state ? ' primary' : ''}`,
					      dataset: {state: s}, 'aria-pressed': s === r.state ? 'true' : 'false',
					      title: STATE_HELP[s], onclick: () => send({state: s})}, s)));
	const note = el('textarea', {id: 'rg-note-input', rows: 4, 'aria-label': 'Note (Markdown)'}, r.note || '');
	const linkKind = el('select', {id: 'rg-link-kind', 'aria-label': 'Link kind'},
		['commit', 'bug', 'patch', 'other'].map(k => el('option', {value: k}, k)));
	const linkUrl = el('input', {type: 'url', id: 'rg-link-url', placeholder: 'https://\u2026', 'aria-label': 'Link URL'});
	const save = el('button', {type: 'button', class: 'btn', id: 'rg-save-note', onclick: () => {
		const body = {note: note.value};
		if (linkUrl.value.trim())
			body.links = [...(r.links || []), {kind: linkKind.value, url: linkUrl.value.trim()}];
		send(body);
	}}, 'Save note and link');
	return el('section', {class: 'rg-triage', id: 'rg-triage'},
		el('h2', {}, 'Triage'),
		tokenBox(redraw),
		buttons,
		el('div', {class: 'rg-edit'}, note, el('div', {class: 'controls'}, linkKind, linkUrl, save)),
		msg);
}

function historyList(r) {
	if (!r.history.length)
		return el('p', {class: 'muted'}, 'No change of state yet.');
	return el('ol', {class: 'rg-history', id: 'rg-history'}, r.history.map(h => el('li', {},
		el('time', {datetime: h.at}, fmtTime(h.at)), ' ', el('strong', {}, h.who), ': ',
		h.state ? ['state ', el('span', {class: `rg-state rg-${h.state}`}, h.state)] : null,
		h.note !== null ? [h.state ? ', ' : '', 'note changed'] : null,
		h.links ? [h.state || h.note !== null ? ', ' : '', 'links changed'] : null)));
}

async function renderOne(app, id) {
	const r = await api(`/api/v1/regressions/${enc(id)}`);
	const worse = r.kind === 'regression';
	setCrumbs([['Runs', '/'], ['Regressions', href('/regressions', {series: r.series})], [`#${r.id}`]]);
	setHeading(`${worse ? 'Regression' : 'Improvement'} #${r.id} in ${r.series}: ${r.base} \u2192 ${r.new}`, [
		`${r.changes.length} benchmark${r.changes.length === 1 ? '' : 's'} ${worse ? 'worse' : 'better'}, found `,
		el('time', {datetime: r.opened, title: fmtTime(r.opened)}, `${age(r.opened)} ago`), '. ',
		el('a', {href: `/compare/${enc(r.base)}...${enc(r.new)}`}, 'Compare the two runs'), '.']);
	const cards = el('div', {class: 'summary'},
		el('div', {class: 'card'}, el('div', {class: 'card-label'}, 'State'),
			el('div', {class: 'card-value', id: 'rg-current-state'}, worse ? r.state : 'not triaged'),
			r.state_by ? el('div', {class: 'card-sub'}, `by ${r.state_by}, ${fmtTime(r.state_changed)}`) : null),
		el('div', {class: 'card'}, el('div', {class: 'card-label'}, 'Run pair'),
			el('div', {class: 'card-value'}, pairLink(r))),
		r.top ? el('div', {class: 'card'}, el('div', {class: 'card-label'}, 'Largest change'),
			el('div', {class: `card-value ${changeClassOf(r.top.change)}`}, `${r.top.benchmark} ${r.top.delta_pct === null ? r.top.change : fmtPct(r.top.delta_pct)}`),
			r.top.function ? el('div', {class: 'card-sub'}, r.top.function) : null) : null,
		r.looks_fixed_by ? el('div', {class: 'card'}, el('div', {class: 'card-label'}, 'Looks fixed by'),
			el('div', {class: 'card-value dir-good'}, el('a', {href: `/runs/${enc(r.looks_fixed_by)}`}, r.looks_fixed_by))) : null);
	const redraw = () => renderOne(app, id);
	const where = el('section', {class: 'rg-where-box'});
	const pick = bench => {
		setState({bench});
		whereFrom(r, bench, where);
	};
	fill(app,
		r.stale ? el('div', {class: 'notice'}, 'These two runs are no longer neighbours in their series (a run was placed between them, or the change is gone): this record is kept for its permalink.') : null,
		cards,
		el('h2', {}, 'Benchmarks'),
		changesTable(r, pick),
		where,
		worse ? [
			r.note ? [el('h2', {}, 'Note'), markdown(r.note)] : null,
			linkList(r.links),
			triagePanel(r, redraw),
			el('h2', {}, 'History'),
			historyList(r),
		] : null);
	const chosen = state().get('bench');
	await whereFrom(r, chosen && r.changes.some(c => c.benchmark === chosen) ? chosen
		: r.top ? r.top.benchmark : null, where);
}

export async function render(app) {
	const segs = location.pathname.split('/').slice(2).map(decodeURIComponent);
	if (segs[0])
		return renderOne(app, segs[0]);
	return renderList(app);
}
