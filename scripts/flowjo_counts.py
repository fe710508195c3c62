#!/usr/bin/env python3
"""FlowJo 10 workspace counts: exact geometry vs FlowJo's saved counts vs the binned rule (issue #13).

    scripts/flowjo-counts.sh            # makes its own venv, then runs this on ../shared/testdata/flowjo

For every Population in the first sample of each workspace: the count with exact geometry
(compensated with the workspace's matrix, polygons tested in the channel's display space), the
count FlowJo saved in the .wsp, and the count under the rule documented in docs/flowjo.md:
rectangles exact on event values; polygons and ellipses on a gateResolution grid over the display
range, linear channels rounded to the nearest grid line, biex channels floored, vertices quantised
the same way, integer point-in-polygon (even-odd). Prints a Markdown table.
"""
import argparse
import json
import math
import os
import xml.etree.ElementTree as ET

import flowio
import numpy as np

GML = 'http://www.isac-net.org/std/Gating-ML/v2.0/'
G, T, D = '{%sgating}' % GML, '{%stransformations}' % GML, '{%sdatatypes}' % GML

WORKSPACES = [
    ('flowsom_68983/gating.wsp', 'flowsom_68983/68983.fcs'),
    ('flowkit_simple_diamond/simple_diamond_example_quad_gate.wsp', 'flowkit_simple_diamond/test_data_diamond_01.fcs'),
    ('flowkit_simple_diamond/test_data_diamond_biex_rect.wsp', 'flowkit_simple_diamond/test_data_diamond_01.fcs'),
    ('flowkit_simple_diamond/test_data_diamond_asinh_rect.wsp', 'flowkit_simple_diamond/test_data_diamond_01.fcs'),
    ('flowkit_simple_diamond/test_data_diamond_asinh_rect2.wsp', 'flowkit_simple_diamond/test_data_diamond_01.fcs'),
    ('flowkit_simple_line/simple_poly_and_rect.wsp', 'flowkit_simple_line/data_set_simple_line_100.fcs'),
    ('flowkit_simple_line/simple_poly_and_rect_v2_poly50.wsp', 'flowkit_simple_line/data_set_simple_line_100.fcs'),
    ('flowkit_simple_line/single_ellipse_51_events.wsp', 'flowkit_simple_line/data_set_simple_line_100.fcs'),
]


# ---------------------------------------------------------------- transforms (display 0..1)

def biex_table(neg, width, pos, top, channels=4096):
    """FlowJo's biex lookup table (the algorithm cytolib documents as TreeStar's): data value per
    channel 0..channels. Returns (data values, channel numbers), both increasing."""
    w = math.log10(-width)
    decades = pos - w / 2
    extra = max(neg, 0) + w / 2
    zero = int(min(int(extra * channels / (extra + decades)), channels / 2))
    if zero > 0:
        decades = extra * channels / zero
    w = w / (2 * decades)
    prange = math.log(10) * decades
    lowest = top / math.exp(prange)

    # negative range r solves 2 ln r + w r = 2 ln prange - w prange (bisection, r in (0, prange])
    target = 2 * math.log(prange) - w * prange
    lo, hi = 0.0, prange
    if w != 0:
        for _ in range(200):
            mid = (lo + hi) / 2
            if 2 * math.log(mid) + w * mid < target:
                lo = mid
            else:
                hi = mid
    nrange = (lo + hi) / 2 if w != 0 else prange

    n = channels + 1
    k = np.arange(n)
    up = np.exp(k / n * prange)
    down = np.exp(k / n * -nrange) * math.exp((prange + nrange) * (w + extra / decades))
    shift = up[zero] - down[zero]
    data = np.empty(n)
    data[zero:] = lowest * (up[zero:] - down[zero:] - shift)
    m = np.arange(zero)
    data[m] = -data[2 * zero - m]
    return data, k.astype(float)


class Scale:
    def __init__(self, el):
        self.kind = el.tag.split('}')[1]
        a = {k.split('}')[-1]: float(v) for k, v in el.attrib.items() if k.split('}')[-1] not in ('gain',)}
        self.attrs = a
        if self.kind == 'biex':
            self.x, self.c = biex_table(a['neg'], a['width'], a['pos'], a['maxRange'])
        elif self.kind not in ('linear', 'fasinh'):
            raise ValueError('transform %s not handled here' % self.kind)

    def __call__(self, v):
        v = np.asarray(v, float)
        a = self.attrs
        if self.kind == 'linear':
            return (v - a['minRange']) / (a['maxRange'] - a['minRange'])
        if self.kind == 'biex':
            return np.interp(v, self.x, self.c) / (len(self.c) - 1)
        ln10 = math.log(10)   # fasinh: Gating-ML 2.0 section 6.3 (FlowJo's W and length not used)
        return (np.arcsinh(v * math.sinh(a['M'] * ln10) / a['T']) + a['A'] * ln10) / ((a['M'] + a['A']) * ln10)

    def grid(self, v, res):
        """The rule: grid index on a res x res display grid."""
        return np.floor(self(v) * res + (0.5 if self.kind == 'linear' else 0.0))


class Identity:
    kind = 'linear'
    def __call__(self, v): return np.asarray(v, float)
    def grid(self, v, res): raise ValueError('binned gate on a channel without a transform')


# ---------------------------------------------------------------- workspace

def values(el):
    return [float(c.get(D + 'value')) for c in el.findall(G + 'coordinate')]


def read_workspace(path):
    root = ET.parse(path).getroot()
    sample = root.find('SampleList/Sample')
    scales = {}
    for el in sample.find('Transformations') if sample.find('Transformations') is not None else []:
        scales[el.find(D + 'parameter').get(D + 'name')] = Scale(el)
    matrix = None
    m = sample.find(T + 'spilloverMatrix')
    if m is not None:
        params = [p.get(D + 'name') for p in m.find(D + 'parameters')]
        S = np.array([[float(c.get(T + 'value')) for c in row.findall(T + 'coefficient')]
                      for row in m.findall(T + 'spillover')])
        matrix = dict(name=m.get('name'), prefix=m.get('prefix', ''), suffix=m.get('suffix', ''), params=params, S=S)
    pops = []

    def walk(node, path):
        sub = node.find('Subpopulations')
        for ch in (sub if sub is not None else []):
            if ch.tag != 'Population':
                if ch.tag in ('AndNode', 'OrNode', 'NotNode'):
                    raise ValueError('boolean nodes not handled by this script')
                continue
            g = ch.find('Gate')[0]
            gate = dict(type=g.tag.split('}')[1], inside=g.get('eventsInside', '1') == '1', res=g.get('gateResolution'),
                        dims=[d.find(D + 'fcs-dimension').get(D + 'name') for d in g.findall(G + 'dimension')])
            if gate['type'] == 'RectangleGate':
                gate['bounds'] = [tuple(None if d.get(G + k) is None else float(d.get(G + k)) for k in ('min', 'max'))
                                  for d in g.findall(G + 'dimension')]
            elif gate['type'] == 'PolygonGate':
                gate['vertices'] = np.array([values(v) for v in g.findall(G + 'vertex')])
            elif gate['type'] == 'EllipsoidGate':
                gate['foci'] = np.array([values(v) for v in g.find(G + 'foci').findall(G + 'vertex')])
                gate['edge'] = np.array([values(v) for v in g.find(G + 'edge').findall(G + 'vertex')])
            else:
                raise ValueError(gate['type'])
            p = path + (ch.get('name'),)
            pops.append(dict(path=p, parent=path, count=int(ch.get('count', -1)), gate=gate))
            walk(ch, p)

    walk(sample.find('SampleNode'), ())
    return dict(version=root.get('flowJoVersion'), scales=scales, matrix=matrix, pops=pops)


def read_columns(fcs, matrix):
    f = flowio.FlowData(fcs)
    data = np.reshape(np.array(f.events, dtype=float), (-1, f.channel_count))
    cols = {n: data[:, i] for i, n in enumerate(f.pnn_labels)}
    if matrix is not None:   # compensated columns under FlowJo's names (prefix + channel + suffix)
        X = np.column_stack([cols[p] for p in matrix['params']])
        C = X @ np.linalg.inv(matrix['S'])
        for i, p in enumerate(matrix['params']):
            cols[matrix['prefix'] + p + matrix['suffix']] = C[:, i]
    return cols, len(data)


# ---------------------------------------------------------------- geometry

def even_odd(px, py, vx, vy):
    """Even-odd point in polygon; an edge counts a point when y1 <= y < y2 and the point is left of it."""
    inside = np.zeros(np.shape(px), bool)
    n = len(vx)
    for i in range(n):
        x1, y1, x2, y2 = vx[i], vy[i], vx[(i + 1) % n], vy[(i + 1) % n]
        if y1 == y2:
            continue
        between = (py >= min(y1, y2)) & (py < max(y1, y2))
        inside ^= between & (px < x1 + (py - y1) * (x2 - x1) / (y2 - y1))
    return inside


def gate_mask(gate, cols, scales, binned):
    dims = gate['dims']
    sc = [scales.get(d, Identity()) for d in dims]
    v = [cols[d] for d in dims]
    t = gate['type']
    if t == 'RectangleGate':    # exact on event values in both modes: min <= x < max
        m = np.ones(len(v[0]), bool)
        for c, (lo, hi) in zip(v, gate['bounds']):
            if lo is not None: m &= c >= lo
            if hi is not None: m &= c < hi
    elif t == 'PolygonGate':
        V = gate['vertices']
        if binned:
            r = int(gate['res'] or 256)
            m = even_odd(sc[0].grid(v[0], r), sc[1].grid(v[1], r), sc[0].grid(V[:, 0], r), sc[1].grid(V[:, 1], r))
        else:
            m = even_odd(sc[0](v[0]), sc[1](v[1]), sc[0](V[:, 0]), sc[1](V[:, 1]))
    else:   # EllipsoidGate: foci/edge are already in 256-grid display coordinates
        F, E = gate['foci'], gate['edge']
        major = math.hypot(*(E[0] - E[1]))
        if binned:
            x, y = sc[0].grid(v[0], 256), sc[1].grid(v[1], 256)
        else:
            x, y = sc[0](v[0]) * 256, sc[1](v[1]) * 256
        m = np.hypot(x - F[0, 0], y - F[0, 1]) + np.hypot(x - F[1, 0], y - F[1, 1]) <= major
    return m if gate['inside'] else ~m


def analyse(base, wsp, fcs):
    ws = read_workspace(os.path.join(base, wsp))
    cols, n = read_columns(os.path.join(base, fcs), ws['matrix'])
    rows = []
    masks = {False: {(): np.ones(n, bool)}, True: {(): np.ones(n, bool)}}
    for p in ws['pops']:
        r = dict(path=p['path'], type=p['gate']['type'], dims=p['gate']['dims'], res=p['gate']['res'], flowjo=p['count'])
        for binned in (False, True):
            m = gate_mask(p['gate'], cols, ws['scales'], binned) & masks[binned][p['parent']]
            masks[binned][p['path']] = m
            r['rule' if binned else 'exact'] = int(m.sum())
        rows.append(r)
    return ws, rows


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=os.path.join(here, '..', '..', 'shared', 'testdata', 'flowjo'))
    ap.add_argument('--json', help='also write the rows as JSON here')
    a = ap.parse_args()
    out = {}
    print('| workspace | population | gate | dims | res | exact | FlowJo saved | rule | exact − FJ | rule − FJ |')
    print('| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |')
    for wsp, fcs in WORKSPACES:
        ws, rows = analyse(a.data, wsp, fcs)
        out[wsp] = rows
        for r in rows:
            fj = r['flowjo']
            d1 = '' if fj < 0 else '%+d' % (r['exact'] - fj)
            d2 = '' if fj < 0 else '%+d' % (r['rule'] - fj)
            print('| %s | %s | %s | %s | %s | %d | %d | %d | %s | %s |' % (
                wsp.split('/')[-1], ' / '.join(r['path']), r['type'].replace('Gate', ''), ', '.join(r['dims']),
                r['res'] or '', r['exact'], fj, r['rule'], d1, d2))
    if a.json:
        with open(a.json, 'w') as fh:
            json.dump(out, fh, indent=1)


if __name__ == '__main__':
    main()
