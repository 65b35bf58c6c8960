#!/usr/bin/env python3
"""Fill the expected results of promqltest scripts from real Prometheus (promtool test rules).

Usage: fill_expectations.py FILE.test...   (rewrites the files in place)

Each `eval instant` / `eval range` command is evaluated by the installed promtool (Prometheus 2.42 on the
reference machine) over the series loaded before it; its body is replaced with what Prometheus returned, and
a command Prometheus fails becomes `eval_fail` with `expected_fail_message`. A range eval is evaluated as one
instant query per step. Commands written `eval_ordered` or with a `# keep` comment on the command line are left
as written (promtool sorts results, so it cannot tell order). Scalars come back as `{} value`.
"""
import math
import re
import subprocess
import sys
import tempfile
from fractions import Fraction

DUR = re.compile(r'^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$')
UNITS = [365 * 86400000, 7 * 86400000, 86400000, 3600000, 60000, 1000, 1]


def dur_ms(s):
    if s == '0':
        return 0
    m = DUR.match(s)
    if not m or not s:
        raise ValueError('bad duration ' + s)
    return sum(int(g) * u for g, u in zip(m.groups(), UNITS) if g)


def time_ms(s):
    if re.fullmatch(r'-?\d+', s):
        return int(s) * 1000
    return dur_ms(s)


def fmt_dur(ms):
    return '%dms' % ms if ms % 1000 else '%ds' % (ms // 1000)


def expand(tok):
    if 'x' in tok and not tok.startswith('0x'):
        base, n = tok.rsplit('x', 1)
        n = int(n)
        if base == '_':
            return [None] * n
        op = max(base.rfind('+'), base.rfind('-'))
        if op <= 0 or base[op - 1] in 'eE':
            return [base] * (n + 1)
        start, op, step = base[:op], base[op], base[op + 1:]
        out = []
        s, st = float(start), float(step) * (1 if op == '+' else -1)
        for i in range(n + 1):
            out.append(repr(s + st * i) if not (s + st * i).is_integer() else str(int(s + st * i)))
        return out
    return [None if tok == '_' else tok]


def split_series(line):
    depth, q = 0, False
    for i, c in enumerate(line):
        if q:
            if c == '\\':
                continue
            if c == '"':
                q = False
        elif c == '"':
            q = True
        elif c == '}':
            return line[:i + 1], line[i + 1:]
        elif c.isspace() and '{' not in line[:i] and ('{' not in line or line.index('{') > i):
            return line[:i], line[i:]
    return line, ''


def parse(lines):
    cmds, i = [], 0
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        start = i
        i += 1
        if not line or line.startswith('#') or raw[0].isspace():
            continue
        body = []
        while i < len(lines) and lines[i].strip() and lines[i][0].isspace():
            body.append(lines[i].strip())
            i += 1
        cmds.append((start, i, line, body))
    return cmds


def series_for(loads):
    """Loaded series re-expressed at one common interval."""
    if not loads:
        return 60000, []
    g = 0
    for interval, _ in loads:
        g = math.gcd(g, interval)
    out = {}
    for interval, series in loads:
        k = interval // g
        for sel, vals in series:
            arr = out.setdefault(sel, [])
            for idx, v in enumerate(vals):
                pos = idx * k
                while len(arr) <= pos:
                    arr.append(None)
                if v is not None:
                    arr[pos] = v
    return g, list(out.items())


def yaml_str(s):
    return "'" + s.replace("'", "''") + "'"


def run_promtool(interval, series, queries):
    # promtool loads input samples step by step up to the last evaluation_interval step before the latest eval_time,
    # and runs expression tests afterwards: a trailing dummy test far enough out makes every sample visible.
    data_end = max([len(v) for _, v in series] + [0]) * interval
    last = max([data_end] + [t for _, t in queries])
    queries = list(queries) + [('vector(0)', (last // 60000 + 2) * 60000)]
    y = ['rule_files: []', 'evaluation_interval: 1m', 'tests:', '  - interval: ' + fmt_dur(interval),
         '    input_series:']
    for sel, vals in series:
        y.append('      - series: ' + yaml_str(sel))
        y.append('        values: ' + yaml_str(' '.join('_' if v is None else v for v in vals)))
    if not series:
        y.append('      - series: \'promtool_placeholder_series\'')
        y.append("        values: '_'")
    y.append('    promql_expr_test:')
    for expr, t in queries:
        y.append('      - expr: ' + yaml_str(expr))
        y.append('        eval_time: ' + fmt_dur(t))
        y.append('        exp_samples: [{labels: \'promtool_never{}\', value: -12345}]')
    with tempfile.NamedTemporaryFile('w', suffix='.yml', delete=False) as f:
        f.write('\n'.join(y) + '\n')
        name = f.name
    proc = subprocess.run(['promtool', 'test', 'rules', name], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    return parse_output(out, len(queries))[:-1]


def parse_output(out, n):
    results = []
    blocks = re.split(r'\n\s*expr: ', '\n' + out)[1:]
    for b in blocks:
        m = re.match(r'"((?:[^"\\]|\\.)*)", time: ([^,]+),(.*)', b, re.S)
        rest = m.group(3)
        em = re.match(r'\s*err: (.*)', rest, re.S)
        if em:
            results.append(('err', em.group(1).strip().split('\n')[0]))
            continue
        gm = re.search(r'got: (.*)', rest)
        got = gm.group(1).strip()
        results.append(('ok', [] if got == 'nil' else split_samples(got)))
    if len(results) != n:
        raise SystemExit('promtool output not understood:\n' + out)
    return results


def split_samples(got):
    out, i = [], 0
    while i < len(got):
        j = got.index('}', i)
        while got[i:j].count('"') % 2:
            j = got.index('}', j + 1)
        labels = got[i:j + 1]
        k = got.find(', {', j)
        val = got[j + 1:k if k >= 0 else len(got)].strip()
        out.append((labels, val))
        i = k + 2 if k >= 0 else len(got)
    return out


def pretty_labels(labels):
    m = re.match(r'^\{__name__="([^"]+)"(?:, )?(.*)\}$', labels)
    if m:
        return m.group(1) + '{' + m.group(2) + '}'
    return labels


def pretty_value(v):
    if v in ('NaN', '+Inf', '-Inf'):
        return v.replace('+', '')
    f = float(v)
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def main(paths):
    for path in paths:
        lines = open(path).read().split('\n')
        cmds = parse(lines)
        loads, plans = [], []
        for start, end, line, body in cmds:
            if line.startswith('load '):
                interval = dur_ms(line.split()[1])
                series = []
                for b in body:
                    if b.startswith('#'):
                        continue
                    sel, vals = split_series(b)
                    expanded = []
                    for tok in vals.split():
                        expanded.extend(expand(tok))
                    series.append((sel.strip(), expanded))
                loads.append((interval, series))
            elif line == 'clear':
                loads = []
            elif line.startswith('eval') and '# keep' not in line and not line.startswith('eval_ordered'):
                plans.append((start, end, line, list(loads)))
        # Evaluate each plan.
        replacements = {}
        for start, end, line, plan_loads in plans:
            cmd, rest = line.split(' ', 1)
            if rest.startswith('instant at '):
                t, expr = rest[len('instant at '):].split(' ', 1)
                times = [time_ms(t)]
                rng = False
            else:
                parts = rest[len('range from '):].split(' ', 5)
                s, e, st = time_ms(parts[0]), time_ms(parts[2]), dur_ms(parts[4])
                expr = parts[5]
                times = list(range(s, e + 1, st))
                rng = True
            interval, series = series_for(plan_loads)
            res = run_promtool(interval, series, [(expr, t) for t in times])
            errs = [r for r in res if r[0] == 'err']
            if any(e[1].startswith('rule result is not a vector') for e in errs):
                continue  # a range vector result: promtool cannot evaluate it; keep what is written
            head = ('eval_fail ' if errs else 'eval ') + rest
            body = []
            if errs:
                body.append('  expected_fail_message ' + errs[0][1])
            elif not rng:
                for labels, v in res[0][1]:
                    body.append('  %s %s' % (pretty_labels(labels), pretty_value(v)))
            else:
                by = {}
                for idx, (_, samples) in enumerate(res):
                    for labels, v in samples:
                        by.setdefault(labels, [None] * len(times))[idx] = pretty_value(v)
                for labels, vals in sorted(by.items()):
                    while vals and vals[-1] is None:
                        vals.pop()
                    body.append('  %s %s' % (pretty_labels(labels), ' '.join('_' if v is None else v for v in vals)))
            replacements[start] = (end, [head] + body)
        out, i = [], 0
        while i < len(lines):
            if i in replacements:
                end, new = replacements[i]
                out.extend(new)
                i = end
            else:
                out.append(lines[i])
                i += 1
        open(path, 'w').write('\n'.join(out))
        print('%s: %d evals filled from promtool' % (path, len(plans)))


if __name__ == '__main__':
    main(sys.argv[1:])
