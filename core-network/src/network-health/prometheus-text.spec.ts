import { describe, expect, it } from 'vitest';
import { PrometheusParseError, parsePromFloat, parsePrometheusText } from './prometheus-text.js';

/** What an Open5GS 2.7 AMF serves (prometheus-client-c: HELP, TYPE, %.17g values, a blank line between families). */
const AMF_METRICS = [
  '# HELP ran_ue RAN UEs',
  '# TYPE ran_ue gauge',
  'ran_ue 42',
  '',
  '# HELP fivegs_amffunction_rm_reginitreq Number of initial registration requests received by the AMF',
  '# TYPE fivegs_amffunction_rm_reginitreq counter',
  'fivegs_amffunction_rm_reginitreq 1234',
  '',
  '# HELP fivegs_amffunction_rm_reginitfail Number of failed initial registrations at the AMF',
  '# TYPE fivegs_amffunction_rm_reginitfail counter',
  '',
  '# HELP gnb gNodeBs by IP address',
  '# TYPE gnb gauge',
  'gnb{addr="10.0.0.1"} 1',
  'gnb{addr="10.0.0.2"} 0',
  '',
].join('\n');

function parseError(text: string): PrometheusParseError {
  try {
    parsePrometheusText(text);
  } catch (err) {
    if (err instanceof PrometheusParseError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

describe('parsePrometheusText', () => {
  it('reads an Open5GS exposition: samples, labels, and families declared without samples', () => {
    const { samples, families } = parsePrometheusText(AMF_METRICS);
    expect(samples).toEqual([
      { name: 'ran_ue', family: 'ran_ue', labels: {}, value: 42, timestampMs: null },
      {
        name: 'fivegs_amffunction_rm_reginitreq',
        family: 'fivegs_amffunction_rm_reginitreq',
        labels: {},
        value: 1234,
        timestampMs: null,
      },
      { name: 'gnb', family: 'gnb', labels: { addr: '10.0.0.1' }, value: 1, timestampMs: null },
      { name: 'gnb', family: 'gnb', labels: { addr: '10.0.0.2' }, value: 0, timestampMs: null },
    ]);
    expect(families.get('fivegs_amffunction_rm_reginitfail')).toEqual({
      type: 'counter',
      help: 'Number of failed initial registrations at the AMF',
    });
    expect(families.get('gnb')?.type).toBe('gauge');
  });

  it('unescapes label values and HELP text', () => {
    const { samples, families } = parsePrometheusText(
      [
        '# HELP m A \\\\ backslash and a\\nnewline',
        'm{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb",empty=""} 1',
      ].join('\n'),
    );
    expect(samples[0]?.labels).toEqual({ path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb', empty: '' });
    expect(families.get('m')).toEqual({ type: 'untyped', help: 'A \\ backslash and a\nnewline' });
  });

  it('keeps label values that look like syntax, and tolerates blanks, tabs, trailing commas and CRLF', () => {
    const { samples } = parsePrometheusText('m { a = "x}y,z=\\"" ,\tb="#" , } \t 2.5 \r\n# a comment\r\n');
    expect(samples).toEqual([
      { name: 'm', family: 'm', labels: { a: 'x}y,z="', b: '#' }, value: 2.5, timestampMs: null },
    ]);
  });

  it('reads NaN, infinities, exponents and timestamps', () => {
    const text = ['a NaN', 'b +Inf', 'c -Inf', 'd 1.5e3 1700000000000', 'e -0.25 -5', 'f .5'].join('\n');
    expect(parsePrometheusText(text).samples.map((s) => [s.value, s.timestampMs])).toEqual([
      [NaN, null],
      [Infinity, null],
      [-Infinity, null],
      [1500, 1_700_000_000_000],
      [-0.25, -5],
      [0.5, null],
    ]);
  });

  it('gives histogram and summary samples their family', () => {
    const text = [
      '# TYPE fivegs_amffunction_rm_regtime histogram',
      'fivegs_amffunction_rm_regtime_bucket{le="20"} 3',
      'fivegs_amffunction_rm_regtime_bucket{le="+Inf"} 5',
      'fivegs_amffunction_rm_regtime_sum 210',
      'fivegs_amffunction_rm_regtime_count 5',
      '# TYPE rpc summary',
      'rpc{quantile="0.99"} 0.3',
      'rpc_sum 12',
      'rpc_count 40',
      'rpc_bucket 1',
    ].join('\n');
    const byName = parsePrometheusText(text).samples.map((s) => `${s.name}->${s.family}`);
    expect(byName).toEqual([
      'fivegs_amffunction_rm_regtime_bucket->fivegs_amffunction_rm_regtime',
      'fivegs_amffunction_rm_regtime_bucket->fivegs_amffunction_rm_regtime',
      'fivegs_amffunction_rm_regtime_sum->fivegs_amffunction_rm_regtime',
      'fivegs_amffunction_rm_regtime_count->fivegs_amffunction_rm_regtime',
      'rpc->rpc',
      'rpc_sum->rpc',
      'rpc_count->rpc',
      // A summary has no buckets: this is a metric of its own.
      'rpc_bucket->rpc_bucket',
    ]);
  });

  it('treats a label named __proto__ as a label, not a prototype', () => {
    const labels = parsePrometheusText('m{__proto__="x"} 1').samples[0]?.labels ?? {};
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.entries(labels)).toEqual([['__proto__', 'x']]);
  });

  it('accepts an empty document and comment-only documents', () => {
    expect(parsePrometheusText('').samples).toEqual([]);
    expect(parsePrometheusText('# just a comment\n#\n   \n').samples).toEqual([]);
  });

  it.each([
    ['a value that is not a number', 'm abc', /line 1: invalid sample value "abc"/],
    ['a missing value', 'm', /line 1: sample m without a value/],
    ['a missing value after labels', 'm{a="b"}', /sample m without a value/],
    ['an unterminated label value', 'm{a="b} 1', /unterminated value of label a/],
    ['an unquoted label value', 'm{a=b} 1', /must be in double quotes/],
    ['an invalid escape', 'm{a="\\t"} 1', /invalid escape sequence "\\t" in label a/],
    ['a label given twice', 'm{a="1",a="2"} 1', /label a given twice/],
    ['an invalid label name', 'm{1a="1"} 1', /invalid label name/],
    ['a missing separator', 'm{a="1" b="2"} 1', /expected "," or "}"/],
    ['an invalid metric name', '9m 1', /line 1: invalid metric name/],
    ['text after the timestamp', 'm 1 2 3', /unexpected text after the timestamp/],
    ['a fractional timestamp', 'm 1 2.5', /invalid timestamp "2.5"/],
    ['an unknown type', '# TYPE m meter', /unknown metric type in TYPE line for m/],
    ['a second TYPE line', '# TYPE m gauge\n# TYPE m counter', /line 2: second TYPE line for m/],
    ['a second HELP line', '# HELP m a\n# HELP m b', /line 2: second HELP line for m/],
    ['a TYPE line after samples', 'm 1\n# TYPE m gauge', /line 2: TYPE line for m after its samples/],
    [
      'a bucket without le',
      '# TYPE h histogram\nh_bucket 1',
      /histogram sample h_bucket needs a numeric "le"/,
    ],
    ['a quantile that is not a number', '# TYPE s summary\ns{quantile="x"} 1', /needs a numeric "quantile"/],
    ['an out-of-range value', 'm 1e999', /invalid sample value/],
  ])('rejects %s with the line and reason', (_what, text, message) => {
    expect(parseError(text).message).toMatch(message);
  });

  it('reports the line number of the offending line', () => {
    const err = parseError('a 1\n\n# HELP b ok\nb 2\nc{x="1" 3\n');
    expect(err.line).toBe(5);
    expect(err.message).toMatch(
      /^Prometheus text, line 5: expected "," or "}" after the value of label x \(column 9\)$/,
    );
  });

  it('enforces its limits before spending work', () => {
    expect(() => parsePrometheusText('m 1\n'.repeat(10), { maxBytes: 20 })).toThrow(/larger than 20 bytes/);
    expect(() => parsePrometheusText('é'.repeat(15), { maxBytes: 20 })).toThrow(/larger than 20 bytes/);
    expect(() => parsePrometheusText('m 1\n'.repeat(10), { maxLines: 5 })).toThrow(/more than 5 lines/);
    expect(() => parsePrometheusText(`m{a="${'x'.repeat(100)}"} 1`, { maxLineLength: 50 })).toThrow(
      /line 1: line longer than 50 characters/,
    );
    expect(() => parsePrometheusText('a 1\nb 2\nc 3', { maxSamples: 2 })).toThrow(
      /line 3: more than 2 samples/,
    );
    expect(() => parsePrometheusText('m{a="1",b="2",c="3"} 1', { maxLabelsPerSample: 2 })).toThrow(
      /more than 2 labels/,
    );
  });
});

describe('parsePromFloat', () => {
  it.each([
    ['0', 0],
    ['-12.5', -12.5],
    ['1e-3', 0.001],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
  ])('reads %s', (token, value) => expect(parsePromFloat(token)).toBe(value));

  it.each(['', '1,5', '0x10', '1e', '--1', 'Infinite'])('rejects %j', (token) =>
    expect(parsePromFloat(token)).toBeNull(),
  );
});
