// SPDX-License-Identifier: MIT
// Drawing blocks shared by the benchmark and the benchmark-compare pages:
// instruction classes and their colours, stacked mix strips, and a hot
// block's disassembly.  Everything here draws what the API returned; no
// figure is computed that the API does not give (widths are shares).
import {cssVar, el, fmtInt, fmtShare} from './lib.js';

// The classes in the order the API lists them (analysis/insn_class.c), by
// family: a family shares a hue, so a strip reads as "integer / memory /
// control / FP / vector / system" before one looks at single classes.
const FAMILIES = [
	[212, ['int-alu', 'int-mul', 'int-div', 'bitmanip']],
	[145, ['load', 'store', 'atomic']],
	[178, ['fp-load', 'fp-store']],
	[275, ['branch-cond', 'jump', 'jump-indirect', 'call', 'ret']],
	[28, ['fp-arith', 'fp-fma', 'fp-div-sqrt', 'fp-cvt-move']],
	[330, ['v-config', 'v-load', 'v-store', 'v-int', 'v-fp', 'v-mask', 'v-reduce', 'v-permute']],
	[null, ['fence', 'csr', 'system', 'nop', 'unknown']],
];

export const CLASSES = FAMILIES.flatMap(([, cs]) => cs);

function dark() {
	// the page's background decides (theme toggle or the system's choice)
	const m = cssVar('--bg').match(/^#(..)(..)(..)$/);
	return m ? (parseInt(m[1], 16) + parseInt(m[2], 16) + parseInt(m[3], 16)) < 3 * 96 : false;
}

// A fixed colour per class: the family's hue (nudged per member) and a
// lightness spread evenly over a band that stays visible on the theme's
// background: 30-62 % on white, 48-78 % on the dark theme (never near
// white or black).  [css colour, [r, g, b] in 0..1]
function colourOf(cls) {
	const d = dark();
	const [lo, hi] = d ? [48, 78] : [30, 62];
	for (const [hue, cs] of FAMILIES) {
		const i = cs.indexOf(cls);
		if (i < 0)
			continue;
		if (cls === 'unknown')
			return hsl(0, 75, d ? 62 : 42);
		const n = cs.length;
		const l = n === 1 ? (lo + hi) / 2 : lo + (hi - lo) * i / (n - 1);
		if (hue === null)
			return hsl(210, 10, l);
		return hsl((hue + (i - (n - 1) / 2) * 9 + 360) % 360, d ? 60 : 65, l);
	}
	return hsl(0, 0, d ? 60 : 45);
}

function hsl(h, s, l) {
	const S = s / 100, L = l / 100;
	const k = n => (n + h / 30) % 12;
	const a = S * Math.min(L, 1 - L);
	const f = n => L - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
	return [`hsl(${h.toFixed(0)} ${s}% ${l.toFixed(1)}%)`, [f(0), f(8), f(4)]];
}

// WCAG relative luminance and contrast ratio
function luminance([r, g, b]) {
	const c = x => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
	return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
}

// The label colour for a background: black or white, whichever contrasts more.
export function labelOn(rgb) {
	const L = luminance(rgb);
	return (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? '#000' : '#fff';
}

export function classColour(cls) {
	return colourOf(cls)[0];
}

export function swatch(cls) {
	const s = el('span', {class: 'swatch-cls', 'aria-hidden': 'true'});
	s.style.background = classColour(cls);
	return s;
}

// classes: {"int-alu": n, ...} -> [[cls, n], ...] in class order, n > 0
export function classEntries(classes) {
	const known = CLASSES.filter(c => classes && Number(classes[c]) > 0).map(c => [c, classes[c]]);
	const other = Object.entries(classes || {}).filter(([c, n]) => !CLASSES.includes(c) && Number(n) > 0);
	return known.concat(other);
}

// A horizontal strip of the classes, each segment as wide as its share of
// `scale` (the strip's full width); segments carry their class and count
// for the tooltip and for tests.
export function mixStrip(classes, scale, label) {
	const strip = el('div', {class: 'mix-strip', role: 'img',
		'aria-label': label || 'instruction mix by class'});
	const total = Number(scale);
	for (const [cls, n] of classEntries(classes)) {
		const seg = el('span', {class: 'seg', dataset: {cls, count: String(n)},
			title: `${cls}: ${fmtInt(n)}${total ? ` (${fmtShare(Number(n) / total * 100)})` : ''}`});
		const w = total ? Number(n) / total * 100 : 0;
		seg.style.width = `${w}%`;
		if (w >= 7) {
			seg.textContent = cls; // named in place where it fits
			seg.classList.add('named');
		}
		const [colour, rgb] = colourOf(cls);
		seg.style.background = colour;
		seg.style.color = labelOn(rgb);
		strip.append(seg);
	}
	return strip;
}

// ---- disassembly -------------------------------------------------------------

const BY_NOTE = {
	fallback: "decoded by tbscope's own RISC-V decoder (capstone 5 does not know it)",
	unknown: 'not decoded: no decoder knows these bytes',
};

export function byLegend() {
	return el('p', {class: 'hint asm-legend'},
		el('span', {class: 'by-mark by-fallback'}, 'F'), ' ', BY_NOTE.fallback, '; ',
		el('span', {class: 'by-mark by-unknown'}, '?'), ' ', BY_NOTE.unknown, '.');
}

function byMark(by) {
	if (by === 'fallback')
		return el('abbr', {class: 'by-mark by-fallback', title: BY_NOTE.fallback}, 'F');
	if (by === 'unknown')
		return el('abbr', {class: 'by-mark by-unknown', title: BY_NOTE.unknown}, '?');
	return null;
}

function where(b) {
	return [b.function || '(no symbol)', b.offset ? `+${b.offset}` : ''];
}

// One hot block: where it is, how often it ran, and its instructions.
export function blockView(b) {
	const code = b.code || [];
	return el('article', {class: 'block', dataset: {addr: b.addr}},
		el('header', {class: 'block-head'},
			el('span', {class: 'mono addr'}, b.addr),
			el('span', {class: 'mono fn'}, where(b)),
			el('span', {class: 'muted obj'}, b.object),
			el('span', {class: 'num block-count',
				    title: `${fmtInt(b.icount)} instructions \u00d7 executed ${fmtInt(b.ecount)} times; translated ${fmtInt(b.tcount)} times`},
				`${fmtInt(b.icount)} \u00d7 ${fmtInt(b.ecount)} = `,
				el('strong', {}, fmtInt(b.instructions))),
			el('span', {class: 'num share'}, fmtShare(b.share_pct))),
		code.length
			? el('div', {class: 'asm-wrap'}, el('table', {class: 'asm'},
				el('tbody', {}, code.map(i => el('tr', {class: `by-${i.by}`},
					el('td', {class: 'a'}, i.addr),
					el('td', {class: 'm'}, i.mnemonic, byMark(i.by)),
					el('td', {class: 'o'}, i.operands),
					el('td', {class: 'c'}, swatch(i.class), i.class),
					el('td', {class: 'e'}, i.ext || ''))))))
			: el('p', {class: 'hint no-code'}, 'No disassembly: the object\u2019s bytes were not found (its ELF is missing).'));
}
