#!/usr/bin/env python3
"""Random PromQL cases for differential testing against Prometheus.

Usage: generate_random.py SEED > ../resources/promqltest/generated_SEED.test
       fill_expectations.py ../resources/promqltest/generated_SEED.test

Prints a promqltest script: a fixed data set (counters with resets and gaps, gauges with NaN and staleness
markers, classic histograms) and 120 random instant or range evaluations mixing selectors, range functions,
subqueries, @ and offset, aggregations and binary operators with vector matching. Expectations are left empty
for fill_expectations.py to take from Prometheus.
"""
import random
random.seed(int(__import__('sys').argv[1]))
load = '''load 15s
  c{job="a", i="0"} 0+7x40 3+5x40
  c{job="a", i="1"} 100+13x80
  c{job="b", i="0"} 5+1x20 _x10 30+2x49
  g{job="a", i="0"} 1 -2 3.5 NaN 7 8 stale 9 2 2 2 1 0 -1 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25
  g{job="b", i="1"} 10-0.5x80
  g{job="b", i="2"} 3x20 _x20 4x40
  h_bucket{job="a", le="0.5"} 0+1x80
  h_bucket{job="a", le="1"} 0+3x80
  h_bucket{job="a", le="+Inf"} 0+4x80
  h_bucket{job="b", le="0.5"} 0+2x80
  h_bucket{job="b", le="1"} 0+2x80
  h_bucket{job="b", le="+Inf"} 0+5x80
'''
sels = ['c', 'g', 'c{job="a"}', 'g{job=~"b|a"}', 'c{i!="1"}', 'g offset 1m', 'c @ 600', '{__name__=~"c|g", i="0"}', 'g{i=~".+"} offset -30s']
rfuncs = ['rate', 'increase', 'delta', 'irate', 'idelta', 'deriv', 'changes', 'resets', 'avg_over_time', 'sum_over_time', 'count_over_time', 'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time', 'last_over_time', 'present_over_time']
ifuncs = ['abs', 'ceil', 'floor', 'sqrt', 'exp', 'ln', 'log2', 'sgn', 'round', 'timestamp', 'sort', 'absent', 'sort_desc', 'hour', 'minute', 'deg', 'tanh', 'asinh']
aggs = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar']
ops = ['+', '-', '*', '/', '%', '^', '==', '!=', '>', '<', '>=', '<=', 'and', 'or', 'unless', 'atan2']
ranges = ['30s', '1m', '2m', '5m', '90s']

def vec(d=0):
    r = random.random()
    if d > 2 or r < 0.3:
        return random.choice(sels)
    if r < 0.5:
        f = random.choice(rfuncs)
        inner = random.choice(sels[:5]) + '[' + random.choice(ranges) + ']'
        if random.random() < 0.2:
            inner = '(' + vec(d + 1) + ')[' + random.choice(ranges) + ':' + random.choice(['15s', '20s', '']) + ']'
        return f + '(' + inner + ')'
    if r < 0.62:
        x = random.random()
        if x < 0.1:
            return 'label_replace(' + vec(d + 1) + ', "x", "$1-$2", "job", "(.)(.*)")'
        if x < 0.2:
            return 'clamp(' + vec(d + 1) + ', ' + random.choice(['-1', '2']) + ', ' + random.choice(['5', '100']) + ')'
        if x < 0.3:
            return 'quantile_over_time(' + random.choice(['0.1', '0.5', '1']) + ', ' + random.choice(sels[:5]) + '[' + random.choice(ranges) + '])'
        if x < 0.4:
            return 'predict_linear(' + random.choice(sels[:5]) + '[' + random.choice(ranges) + '], ' + random.choice(['60', '-30']) + ')'
        if x < 0.45:
            return 'holt_winters(' + random.choice(sels[:5]) + '[' + random.choice(ranges) + '], 0.3, 0.6)'
        if x < 0.5:
            return 'vector(scalar(' + vec(d + 1) + '))'
        if x < 0.55:
            return 'absent_over_time(' + random.choice(sels[:5]) + '[' + random.choice(ranges) + '])'
        if x < 0.6:
            return '(' + vec(d + 1) + ' * on(job) group_left(i) ' + random.choice(['max by (job, i) (g)', 'topk by (job) (1, c)']) + ')'
        if x < 0.65:
            return 'max_over_time((' + vec(d + 1) + ')[2m:30s] @ 900)'
        if x < 0.7:
            return 'label_join(' + vec(d + 1) + ', "x", ",", "job", "i")'
        if x < 0.75:
            return '-' + vec(d + 1)
        if x < 0.8:
            return 'timestamp(' + random.choice(['c', 'g offset 1m', 'c @ 300', '(g)']) + ')'
        if x < 0.85:
            return 'sum_over_time((' + vec(d + 1) + ')[3m:45s] offset ' + random.choice(['1m', '-1m', '30s']) + ')'
        if x < 0.9:
            return 'last_over_time((' + vec(d + 1) + ')[1m:] @ ' + random.choice(['start()', 'end()', '450']) + ')'
        return random.choice(ifuncs) + '(' + vec(d + 1) + ')'
    if r < 0.8:
        a = random.choice(aggs + ['topk', 'bottomk', 'quantile', 'count_values'])
        grp = random.choice(['', ' by (job)', ' without (i)', ' by (i)'])
        if a in ('topk', 'bottomk'):
            return a + grp + ' (' + random.choice(['1', '2']) + ', ' + vec(d + 1) + ')'
        if a == 'quantile':
            return a + grp + ' (' + random.choice(['0.5', '0.9', '0']) + ', ' + vec(d + 1) + ')'
        if a == 'count_values':
            return a + grp + ' ("v", ' + vec(d + 1) + ')'
        return a + grp + ' (' + vec(d + 1) + ')'
    op = random.choice(ops)
    mod = random.choice(['', '', ' on(job)', ' ignoring(i)', ' on()', ' ignoring(job, i)', ' on(__name__, i)', ' bool' if op in ('==', '!=', '>', '<', '>=', '<=') else ''])
    rhs = random.choice([vec(d + 1), str(random.choice([0, 1, 2.5, -3]))])
    return '(' + vec(d + 1) + ' ' + op + mod + ' ' + rhs + ')'

print('# Generated by generate_random.py %s; expectations from Prometheus 2.42 (fill_expectations.py).' % __import__('sys').argv[1])
print('# Where Prometheus depends on storage order (ties, the pair in a many-to-many error) we state ours (label order).')
print(load)
for i in range(120):
    e = vec()
    if random.random() < 0.3:
        e = 'histogram_quantile(' + random.choice(['0.5', '0.9']) + ', ' + random.choice(['h_bucket', 'rate(h_bucket[2m])', 'sum by (le) (rate(h_bucket[1m]))']) + ')'
    t = random.choice(['0', '1m', '5m', '10m', '17m30s', '20m'])
    if random.random() < 0.25 and 'start()' not in e and 'end()' not in e:
        print('eval range from 0 to 20m step 150s ' + e + '\n')
    else:
        print('eval instant at ' + t + ' ' + e + '\n')
