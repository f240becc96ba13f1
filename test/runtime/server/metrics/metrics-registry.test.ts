import { MetricsRegistry } from '../../../../runtime/server/metrics/metrics-registry';

describe('MetricsRegistry (Prometheus text exposition)', () => {
  test('counters, gauges and labelled series render with HELP/TYPE and escaped label values', () => {
    const r = new MetricsRegistry();
    const c = r.counter('demo_total', 'A counter.\nSecond line.');
    const g = r.gauge('demo_gauge', 'A gauge.');
    const l = r.counter('demo_by_lane_total', 'By lane.', ['lane']);
    c.inc();
    c.inc(2);
    g.set(5);
    g.dec(2);
    l.labels('Data"Lane\\x').inc(4);
    expect(r.render()).toBe(
      [
        '# HELP demo_total A counter.\\nSecond line.',
        '# TYPE demo_total counter',
        'demo_total 3',
        '# HELP demo_gauge A gauge.',
        '# TYPE demo_gauge gauge',
        'demo_gauge 3',
        '# HELP demo_by_lane_total By lane.',
        '# TYPE demo_by_lane_total counter',
        'demo_by_lane_total{lane="Data\\"Lane\\\\x"} 4',
        '',
      ].join('\n'),
    );
  });

  test('histogram buckets are cumulative, end with +Inf, and carry sum and count', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('lat_seconds', 'Latency.', [0.01, 0.1, 1]);
    for (const v of [0.005, 0.01, 0.05, 0.5, 2, 3]) h.observe(v);
    h.observe(Number.NaN); // ignored: would poison the sum
    const lines = r.render().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'lat_seconds_bucket{le="0.01"} 2',
        'lat_seconds_bucket{le="0.1"} 3',
        'lat_seconds_bucket{le="1"} 4',
        'lat_seconds_bucket{le="+Inf"} 6',
        `lat_seconds_sum ${0.005 + 0.01 + 0.05 + 0.5 + 2 + 3}`,
        'lat_seconds_count 6',
      ]),
    );
  });

  test('labelled histograms render le after the other labels; children are cached', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('op_seconds', 'Op.', [1], ['op']);
    expect(h.labels('read')).toBe(h.labels('read'));
    h.labels('read').observe(0.5);
    expect(r.render()).toContain('op_seconds_bucket{op="read",le="1"} 1');
    expect(r.render()).toContain('op_seconds_count{op="read"} 1');
  });

  test('collect() sets a total from a cumulative source and never moves a counter back', () => {
    const r = new MetricsRegistry();
    const c = r.counter('collected_total', 'Collected.');
    c.collect(10);
    c.collect(7);
    expect(c.value).toBe(10);
  });

  test('invalid names, labels, buckets, increments and duplicates are refused with the name in the message', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter('bad-name', 'x')).toThrow(/bad-name/);
    expect(() => r.counter('ok_total', 'x', ['le'])).toThrow(/invalid label name "le"/);
    expect(() => r.histogram('h_seconds', 'x', [1, 1])).toThrow(/h_seconds: buckets must be finite and strictly increasing/);
    const c = r.counter('dup_total', 'x');
    expect(() => r.counter('dup_total', 'x')).toThrow(/already registered/);
    expect(() => c.inc(-1)).toThrow(/>= 0/);
    const l = r.counter('lab_total', 'x', ['a', 'b']);
    expect(() => l.labels('only-one')).toThrow(/takes 2 label value\(s\)/);
    expect(() => l.inc()).toThrow(/use labels/);
  });
});
