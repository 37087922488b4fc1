// SPDX-License-Identifier: MIT
// /runs/<id>/<bench>: draws GET /api/v1/runs/<id>/benchmarks/<bench>
// (?limit=n hottest functions): totals, the per-object split, the hottest
// functions and the invocations; and, for the whole benchmark or for one
// function, .../mix (the instruction mix) and .../blocks (the hottest
// blocks, disassembled).
// State: n (functions shown), function and object (the function the mix
// and the blocks are of; clicking a function sets them), blocks (how many).
import {api, ApiError, errorBox, fill, el, enc, fmtInt, fmtShare, href, setCrumbs, setHeading,
	setState, state, tableWrap} from './lib.js';
import {blockView, byLegend, classColour, mixStrip, swatch} from './mix.js';
import {drawRate, redrawRate} from './rate.js';

function shareBar(pct, colour) {
	const bar = el('span', {class: 'share-bar', 'aria-hidden': 'true'}, el('span'));
	bar.firstChild.style.width = `${Math.max(0, Math.min(100, pct || 0))}%`;
	if (colour)
		bar.firstChild.style.background = colour;
	return el('td', {class: 'share'}, bar, el('span', {class: 'num-text'}, fmtShare(pct)));
}

function hex(n) {
	return '0x' + Number(n).toString(16);
}

function stat(label, value, sub) {
	return el('div', {class: 'card'}, el('div', {class: 'card-label'}, label),
		el('div', {class: 'card-value'}, value), sub ? el('div', {class: 'card-sub'}, sub) : null);
}

// ---- the mix and the blocks of the benchmark or of one function -------------

let ctx = null; // {id, bench, b, parts}

function focus() {
	const q = state();
	const blocks = Math.max(1, Math.min(256, Number.parseInt(q.get('blocks') || '12', 10) || 12));
	return {fn: q.get('function') || null, object: q.get('object') || null, blocks};
}

function detailPath(kind, f, limit) {
	return href(`/api/v1/runs/${enc(ctx.id)}/benchmarks/${enc(ctx.bench)}/${kind}`,
		{function: f.fn, object: f.fn ? f.object : null, limit});
}

function mixCard(label, value, sub, id) {
	return el('div', {class: 'card', id}, el('div', {class: 'card-label'}, label),
		el('div', {class: 'card-value'}, value), sub ? el('div', {class: 'card-sub'}, sub) : null);
}

function pctOf(n, total) {
	return Number(total) ? Number(n) / Number(total) * 100 : 0;
}

function smallTable(id, caption, head, rows) {
	return tableWrap(el('table', {class: 'data parts', id},
		el('caption', {}, caption),
		el('thead', {}, el('tr', {}, head.map(([label, cls]) => el('th', {scope: 'col', class: cls}, label)))),
		el('tbody', {}, rows)));
}

function drawMix(m, f) {
	const total = m.instructions;
	const dec = m.by_decoder || {};
	const fl = m.flags || {};
	const scope = f.fn ? [el('span', {class: 'mono'}, f.fn), ` (${f.object || 'any object'})`] : 'the whole benchmark';
	const exts = m.by_extension || [];
	const mns = m.by_mnemonic || [];
	const fns = m.by_function || [];
	return [
		el('h2', {id: 'mix-heading'}, 'Instruction mix of ', scope, ' ',
			el('span', {class: 'hint'}, `${fmtInt(total)} instructions, ${fmtInt(m.mnemonics_total)} mnemonics, ${m.arch || ''}`)),
		el('section', {class: 'summary mix-cards'},
			mixCard('Compressed', fmtShare(fl.compressed_pct), `${fmtInt(fl.compressed)} instructions`, 'mix-compressed'),
			mixCard('Stack (spill / reload)', fmtShare(fl.stack_pct), `${fmtInt(fl.stack)} loads and stores off sp`, 'mix-stack'),
			mixCard('Vector', fmtShare(fl.vector_pct), `${fmtInt(fl.vector)} instructions`, 'mix-vector'),
			mixCard('Decoded by', [fmtShare(pctOf(dec.capstone, total)), ' ', el('span', {class: 'card-aside'}, 'capstone')],
				[`fallback ${fmtInt(dec.fallback)}, unknown ${fmtInt(dec.unknown)}, no bytes ${fmtInt(dec.no_bytes)}`], 'mix-decoders')),
		Number(dec.no_bytes) > 0 ? el('div', {class: 'notice warn', role: 'note'},
			`${fmtInt(dec.no_bytes)} instructions (${fmtShare(pctOf(dec.no_bytes, total))}) have no bytes to decode: `,
			'an object\u2019s ELF file was missing, so their classes are unknown (see "Symbols from" under Objects).') : null,
		Number(dec.unknown) > 0 ? el('div', {class: 'notice warn', role: 'note'},
			`${fmtInt(dec.unknown)} instructions did not decode (class "unknown").`) : null,
		mixStrip(m.classes, total, `instruction mix by class of ${f.fn || 'the benchmark'}`),
		el('div', {class: 'mix-grid'},
			smallTable('mix-classes', 'By class', [['Class'], ['Instructions', 'num'], ['Share']],
				(m.by_class || []).filter(c => Number(c.instructions) > 0).map(c => el('tr', {dataset: {cls: c.class}},
					el('th', {scope: 'row', class: 'name'}, swatch(c.class), c.class),
					el('td', {class: 'num'}, fmtInt(c.instructions)),
					shareBar(c.share_pct, classColour(c.class))))),
			el('div', {class: 'mix-side'},
				smallTable('mix-extensions', 'By extension', [['Extension'], ['Instructions', 'num'], ['Share', 'num']],
					exts.map(e => el('tr', {},
						el('th', {scope: 'row', class: 'name'}, e.ext || el('span', {class: 'muted', title: 'no bytes, or not decoded'}, '(none)')),
						el('td', {class: 'num'}, fmtInt(e.instructions)),
						el('td', {class: 'num muted'}, fmtShare(e.share_pct))))),
				smallTable('mix-decoder', 'By decoder', [['Decoder'], ['Instructions', 'num'], ['Share', 'num']],
					['capstone', 'fallback', 'unknown', 'no_bytes'].map(k => el('tr', {class: Number(dec[k]) ? null : 'zero'},
						el('th', {scope: 'row', class: 'name'}, k.replace('_', ' ')),
						el('td', {class: 'num'}, fmtInt(dec[k])),
						el('td', {class: 'num muted'}, fmtShare(pctOf(dec[k], total))))))),
			smallTable('mix-mnemonics', `Top mnemonics (${Math.min(mns.length, 20)} of ${fmtInt(m.mnemonics_total)})`,
				[['Mnemonic'], ['Class'], ['Instructions', 'num'], ['Share', 'num']],
				mns.slice(0, 20).map(x => el('tr', {},
					el('th', {scope: 'row', class: 'name'}, x.mnemonic),
					el('td', {class: 'muted cls-cell'}, swatch(x.class), x.class),
					el('td', {class: 'num'}, fmtInt(x.instructions)),
					el('td', {class: 'num muted'}, fmtShare(x.share_pct)))))),
		fns.length ? el('h2', {}, 'Mix of the hottest functions ',
			el('span', {class: 'hint'}, 'click a function for its mix and blocks')) : null,
		fns.length ? tableWrap(el('table', {class: 'data', id: 'mix-functions'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'Function'),
				el('th', {scope: 'col'}, 'Object'),
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col', class: 'strip-col'}, 'Classes (share of the function)'))),
			el('tbody', {}, fns.map(x => el('tr', {},
				el('th', {scope: 'row', class: 'name'}, fnLink(x.name, x.object)),
				el('td', {class: 'muted'}, x.object),
				el('td', {class: 'num'}, fmtInt(x.instructions)),
				el('td', {class: 'strip-col'}, mixStrip(x.classes, x.instructions, `mix of ${x.name}`))))))) : null,
	];
}

function drawBlocks(bl, f) {
	const blocks = bl.blocks || [];
	const more = f.blocks < 256 && blocks.length >= f.blocks;
	return [
		el('h2', {id: 'blocks-heading'}, 'Hottest blocks of ', f.fn ? el('span', {class: 'mono'}, f.fn) : 'the whole benchmark', ' ',
			el('span', {class: 'hint'}, `${blocks.length} shown; instructions = icount \u00d7 times executed`)),
		byLegend(),
		blocks.length ? el('div', {class: 'blocks', id: 'blocks-list'}, blocks.map(blockView))
			: el('p', {class: 'empty'}, 'No blocks kept for this function (blocks are kept for the hottest functions only).'),
		more ? el('p', {class: 'pager'}, el('a', {href: href(location.pathname,
			{...Object.fromEntries(state()), blocks: String(Math.min(256, f.blocks * 4))}),
			onclick: e => { e.preventDefault(); select({blocks: String(Math.min(256, f.blocks * 4))}); }},
			'Show more blocks')) : null,
	];
}

function fnLink(name, object) {
	const f = focus();
	const on = f.fn === name && (!f.object || f.object === object);
	const q = {...Object.fromEntries(state()), function: name, object, blocks: null};
	return el('a', {href: href(location.pathname, q), class: `fn-link${on ? ' on' : ''}`,
			'aria-current': on ? 'true' : null,
			onclick: e => { e.preventDefault(); select({function: name, object, blocks: null}); }}, name);
}

async function drawFocus() {
	const f = focus();
	const {parts} = ctx;
	// the selected row in the functions table
	for (const tr of document.querySelectorAll('#functions-table tbody tr')) {
		const on = f.fn !== null && tr.dataset.fn === f.fn && (!f.object || tr.dataset.object === f.object);
		tr.classList.toggle('selected', on);
	}
	fill(parts.filter, f.fn
		? [el('span', {}, 'Mix and blocks of ', el('strong', {class: 'mono', id: 'focus-fn'}, f.fn),
			f.object ? ` (${f.object})` : ''),
		   el('a', {class: 'btn ghost', id: 'focus-clear', href: href(location.pathname, {n: state().get('n')}),
			    onclick: e => { e.preventDefault(); select({function: null, object: null, blocks: null}); }},
			  '\u00d7 whole benchmark')]
		: el('span', {class: 'hint'}, 'Mix and blocks of the whole benchmark; click a function to see its own.'));
	for (const [k, a] of [['mix', '#json-mix'], ['blocks', '#json-blocks']]) {
		const link = document.querySelector(a);
		if (link)
			link.href = detailPath(k, f, k === 'blocks' ? String(f.blocks) : undefined);
	}
	fill(parts.mix, el('p', {class: 'loading'}, 'Loading the instruction mix\u2026'));
	fill(parts.blocks);
	try {
		const [m, bl] = await Promise.all([api(detailPath('mix', f)), api(detailPath('blocks', f, String(f.blocks)))]);
		if (JSON.stringify(focus()) !== JSON.stringify(f))
			return; // a newer selection is being drawn
		fill(parts.mix, drawMix(m, f));
		fill(parts.blocks, drawBlocks(bl, f));
	} catch (err) {
		fill(parts.mix, errorBox(err instanceof ApiError ? err : new ApiError(0, String(err))));
	}
}

async function select(patch) {
	setState(patch);
	await drawFocus();
	if ('function' in patch)
		ctx.parts.filter.scrollIntoView({block: 'start'});
}

export function redraw() {
	if (ctx)
		drawFocus();
	redrawRate();
}

export async function render(app) {
	const [, , id, bench] = location.pathname.split('/').map(decodeURIComponent);
	// a dozen functions carry almost every benchmark: the mix and the
	// blocks stay near the top; "show all" lists the rest
	const n = Math.max(1, Math.min(10000, Number.parseInt(state().get('n') || '12', 10) || 12));
	setCrumbs([['Runs', '/'], [id, `/runs/${enc(id)}`], [bench]]);
	const [b, run] = await Promise.all([
		api(href(`/api/v1/runs/${enc(id)}/benchmarks/${enc(bench)}`, {limit: String(n)})),
		api(`/api/v1/runs/${enc(id)}`).catch(() => null),
	]);
	const series = run ? run.series : null;
	setHeading(`${b.name} in ${id}`, [b.suite ? `${b.suite}, ` : '', `${b.dir}`]);
	const inv = b.invocation_files || [];
	let cum = 0; // the cumulative share down the functions table
	const fns = b.functions || [];
	const parts = {filter: el('div', {class: 'controls focus', id: 'focus'}),
		       mix: el('section', {id: 'mix', class: 'mix'}),
		       blocks: el('section', {id: 'blocks', class: 'blocks-section'}),
		       rate: el('section', {id: 'rate', class: 'rate', hidden: true})};
	ctx = {id, bench, b, parts};
	const f = focus();
	fill(app,
		el('div', {class: 'toolbar'},
			el('a', {class: 'btn', href: href(`/history/${enc(b.name)}`, {series})}, 'History'),
			el('span', {class: 'exports'}, 'Jump to', el('a', {href: '#mix-heading'}, 'mix'), el('a', {href: '#blocks-heading'}, 'blocks')),
			el('span', {class: 'exports'}, 'JSON ',
				el('a', {href: href(`/api/v1/runs/${enc(id)}/benchmarks/${enc(bench)}`, {limit: String(n)})}, 'benchmark'),
				el('a', {href: detailPath('mix', f), id: 'json-mix'}, 'mix'),
				el('a', {href: detailPath('blocks', f, String(f.blocks)), id: 'json-blocks'}, 'blocks'))),
		el('section', {class: 'summary'},
			stat('Instructions', [b.lower_bound ? '\u2265 ' : '', fmtInt(b.instructions)],
			     b.lower_bound ? 'lower bound: some invocation listed only its top blocks' : 'exact'),
			stat('Invocations', fmtInt(b.invocations)),
			stat('Blocks (rows)', fmtInt(b.rows)),
			stat('Malformed lines', fmtInt(b.malformed_lines)),
			stat('insns plugin', b.insns_plugin === null ? '\u2013' : fmtInt(b.insns_plugin),
			     b.insns_plugin === null ? 'not recorded'
				     : (BigInt(b.insns_plugin) === BigInt(b.instructions) ? 'matches' : 'differs'))),
		(b.warnings || []).length ? el('div', {class: 'notice warn'},
			el('strong', {}, 'Warnings'), el('ul', {}, b.warnings.map(w => el('li', {}, w)))) : null,
		el('h2', {}, 'Objects'),
		tableWrap(el('table', {class: 'data collapse', id: 'objects-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'Object'),
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col'}, 'Share'),
				el('th', {scope: 'col'}, 'Symbols from'))),
			el('tbody', {}, (b.objects || []).map(o => el('tr', {},
				el('th', {scope: 'row', class: 'name', title: o.path || ''}, o.name),
				el('td', {class: 'num'}, fmtInt(o.instructions)),
				shareBar(o.share_pct),
				el('td', {class: o.symbols_missing ? 'muted' : ''}, o.symbols_missing || o.elf || '')))))),
		el('h2', {}, 'Hottest functions ',
			el('span', {class: 'hint'}, `${fns.length} of ${fmtInt(b.functions_total)}; click one for its mix and blocks`)),
		tableWrap(el('table', {class: 'data collapse', id: 'functions-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col'}, 'Share'),
				el('th', {scope: 'col', class: 'num cum', title: 'this and every function above it'}, 'Cumulative'),
				el('th', {scope: 'col'}, 'Function'),
				el('th', {scope: 'col'}, 'Object'),
				el('th', {scope: 'col', class: 'num'}, 'Blocks'),
				el('th', {scope: 'col', class: 'num'}, 'Address'),
				el('th', {scope: 'col', class: 'num'}, 'Size'))),
			el('tbody', {}, fns.map(x => el('tr', {dataset: {fn: x.name, object: x.object}},
				el('td', {class: 'num'}, fmtInt(x.instructions)),
				shareBar(x.share_pct),
				el('td', {class: 'num muted cum'}, fmtShare(cum += x.share_pct || 0)),
				el('th', {scope: 'row', class: 'name mono'}, fnLink(x.name, x.object)),
				el('td', {class: 'opt'}, x.object),
				el('td', {class: 'num opt'}, fmtInt(x.blocks)),
				el('td', {class: 'num mono opt'}, x.address ? hex(x.address) : ''),
				el('td', {class: 'num opt'}, x.size ? fmtInt(x.size) : '')))))),
		b.functions_total > fns.length
			? el('p', {class: 'pager'}, el('a', {id: 'show-all-functions',
				href: href(location.pathname, {...Object.fromEntries(state()), n: String(Math.min(10000, b.functions_total))})},
				`Show all ${fmtInt(b.functions_total)} functions (${fmtInt(b.functions_total - fns.length)} more, ${fmtShare(Math.max(0, 100 - cum))} of the instructions)`)) : null,
		parts.filter,
		parts.mix,
		parts.blocks,
		parts.rate,
		el('h2', {}, 'Invocations'),
		tableWrap(el('table', {class: 'data', id: 'invocations-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'hotblocks output'),
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col', class: 'num'}, 'Rows'),
				el('th', {scope: 'col', class: 'num'}, 'Collected'),
				el('th', {scope: 'col', class: 'num'}, 'Malformed'),
				el('th', {scope: 'col', class: 'num'}, 'insns plugin'))),
			el('tbody', {}, inv.map(x => el('tr', {},
				el('th', {scope: 'row', class: 'name mono'}, x.qemu_out.split('/').pop()),
				el('td', {class: 'num'}, x.lower_bound ? '\u2265 ' : '', fmtInt(x.instructions)),
				el('td', {class: 'num'}, fmtInt(x.rows)),
				el('td', {class: 'num'}, fmtInt(x.collected)),
				el('td', {class: `num ${x.malformed_lines ? 'dir-bad' : ''}`}, fmtInt(x.malformed_lines)),
				el('td', {class: 'num'}, x.insns_plugin === null ? '\u2013' : fmtInt(x.insns_plugin))))))));
	await Promise.all([drawFocus(), drawRate(parts.rate, id, bench)]);
}
