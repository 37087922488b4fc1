#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The #include graph of a C library runs one way: no module cycles.

usage: check_includes.py DIR           check DIR (e.g. analysis/)
       check_includes.py --self-test   check that a cycle is caught

A module X is X.c plus X.h.  Every `#include "Y.h"` in X.c or X.h where
DIR/Y.h exists is an arrow X -> Y.  The check fails, naming the cycle and
the lines that make it, when the arrows make a loop between modules (run.c
including mix.h while mix.c includes run.h is such a loop).  Headers that
include themselves and system headers (<...>) are not arrows.
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(name):
    return os.path.splitext(name)[0]


def graph(d):
    """{module: {included module: [(file, line number), ...]}}"""
    files = sorted(f for f in os.listdir(d) if f.endswith(('.c', '.h')))
    headers = {f for f in files if f.endswith('.h')}
    g = {}
    for f in files:
        src = module_of(f)
        g.setdefault(src, {})
        with open(os.path.join(d, f), encoding='utf-8') as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m or m.group(1) not in headers:
                    continue
                dst = module_of(m.group(1))
                if dst != src:
                    g[src].setdefault(dst, []).append((f, n))
    return g


def cycles(g):
    """The strongly connected components of more than one module
    (Tarjan), each as a sorted list."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def check(d):
    g = graph(d)
    bad = cycles(g)
    for comp in bad:
        print(f'{d}: include cycle between modules: {", ".join(comp)}')
        members = set(comp)
        for src in comp:
            for dst, where in sorted(g[src].items()):
                if dst in members:
                    for f, n in where:
                        print(f'  {f}:{n}: {src} -> {dst}')
    if not bad:
        arrows = sum(len(v) for v in g.values())
        print(f'{d}: {len(g)} modules, {arrows} arrows, no cycle')
    return 1 if bad else 0


def self_test():
    """The check fails on a two-module loop and on a three-module loop
    and passes once it is broken."""
    with tempfile.TemporaryDirectory() as d:
        def write(name, *incs):
            with open(os.path.join(d, name), 'w', encoding='utf-8') as fh:
                for i in incs:
                    fh.write(f'#include "{i}"\n')
                fh.write('#include <stdio.h>\n')
        write('a.h')
        write('a.c', 'a.h', 'b.h')
        write('b.h', 'c.h')
        write('b.c', 'b.h')
        write('c.h')
        write('c.c', 'c.h', 'a.h')  # a -> b -> c -> a
        write('d.h')
        write('d.c', 'd.h', 'a.h')  # outside the loop
        g = graph(d)
        assert cycles(g) == [['a', 'b', 'c']], cycles(g)
        write('c.c', 'c.h')  # broken
        assert cycles(graph(d)) == [], cycles(graph(d))
        write('d.c', 'd.h', 'a.h', 'missing.h')  # unknown headers: no arrow
        write('b.c', 'b.h', 'a.h')  # a <-> b through b.c
        assert cycles(graph(d)) == [['a', 'b']], cycles(graph(d))
    print('self-test: ok')
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if sys.argv[1] == '--self-test':
        sys.exit(self_test())
    sys.exit(check(sys.argv[1]))
