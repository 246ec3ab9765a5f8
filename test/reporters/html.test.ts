import { describe, expect, it } from 'vitest';
import { applyExpectedFailures, parseExpectedFailures } from '../../core/expected-failures.js';
import type { Report } from '../../core/report.js';
import { renderHtml } from '../../reporters/html.js';
import { REPORT_ELEMENTS, scanHtml, type ScannedElement } from '../support/html-scan.js';
import { check, exchange, flawedFlow, interruptedReport, passingReport, processOutcome, propertyReport, report, sampleReport, scenario } from '../support/report-fixtures.js';

const classes = (e: ScannedElement) => (e.attributes.class ?? '').split(' ');
const sections = (html: string) => scanHtml(html).elements.filter((e) => e.name === 'section');

/** A run with a scenario of every group, in an order the page must change. */
function mixedReport(): Report {
  const [passing, flawed, , , skipped] = sampleReport().scenarios;
  const warned = scenario({
    id: 'auth/warned',
    exchanges: flawedFlow(),
    checks: [check({ id: 'bearer-scheme', level: 'SHOULD', status: 'warn', message: 'lower case', evidence: [{ exchange: 7, part: 'header.authorization' }] })],
  });
  return report([skipped, passing, warned, flawed]);
}

describe('HTML reporter', () => {
  it('puts failing scenarios first, then warnings, passes and skips, open where something is wrong', () => {
    const found = sections(renderHtml(mixedReport()));
    expect(found.map((s) => s.attributes['data-status'])).toEqual(['fail', 'warn', 'pass', 'skip']);
    expect(found.map((s) => s.attributes.id)).toEqual(['s4', 's3', 's2', 's1']);
    const sample = sections(renderHtml(sampleReport()));
    expect(sample.map((s) => s.attributes['data-status'])).toEqual(['fail', 'fail', 'fail', 'pass', 'skip']);
    const html = renderHtml(mixedReport());
    expect(html).toMatch(/<section class="scenario scenario-fail" id="s4" data-status="fail"><details open>/);
    expect(html).toMatch(/<section class="scenario scenario-pass" id="s2" data-status="pass"><details>/);
  });

  it('heads the page with the verdict, exit code, target and counts', () => {
    const { text } = scanHtml(renderHtml(sampleReport()));
    expect(text).toContain('✗ client failed exit code 1');
    expect(text).toContain('node ./my-client.js');
    expect(text).toContain('5 scenarios: 1 passed, 3 failed, 1 skipped · 11 checks: 5 pass, 3 fail, 2 warn, 1 skip · 0 expected failures');
    expect(scanHtml(renderHtml(passingReport())).text).toContain('✓ client passed exit code 0');
    expect(scanHtml(renderHtml(interruptedReport())).text).toContain('! client interrupted exit code 130');
  });

  it('draws each failure and warning as a sequence diagram with the offending part highlighted, and the exchange in full below', () => {
    const html = renderHtml(sampleReport());
    const { elements } = scanHtml(html);
    const findings = elements.filter((e) => e.name === 'article' && classes(e).includes('finding'));
    expect(findings.map((f) => f.attributes.id)).toEqual(['s2-c2', 's2-c3', 's2-c4', 's2-c5', 's3-c2', undefined]);
    expect(findings.map((f) => classes(f)[1])).toEqual(['finding-fail', 'finding-fail', 'finding-warn', 'finding-warn', 'finding-fail', 'finding-fail']);

    // The pkce-s256 finding: its diagram marks the authorize request and the query parameter.
    const start = html.indexOf('<article class="finding finding-fail" id="s2-c2">');
    const pkce = html.slice(start, html.indexOf('</article>', start));
    const inside = scanHtml(pkce).elements;
    const chips = inside.filter((e) => classes(e).includes('sd-part'));
    expect(chips.map((c) => [c.attributes['data-exchange'], c.attributes['data-part']])).toEqual([
      ['3', 'body.code_challenge_methods_supported'],
      ['4', 'query.code_challenge_method'],
    ]);
    expect(inside.filter((e) => classes(e).includes('sd-highlighted')).map((e) => e.attributes['data-exchange'])).toEqual(['3', '4']);
    expect(inside.filter((e) => classes(e).includes('sd-exchange')).map((e) => e.attributes.id)).toEqual(['s2-c2-d3', 's2-c2-d4']);
    expect(pkce).toContain('<mark class="sd-mark sd-tone-fail">&amp;code_challenge_method=plain</mark>');
    expect(scanHtml(pkce).text).toContain('query.code_challenge_method = "plain"');
    // Every in-page link has its target.
    const ids = new Set(elements.flatMap((e) => (e.attributes.id ? [e.attributes.id] : [])));
    for (const e of elements) if (e.attributes.href?.startsWith('#')) expect(ids.has(e.attributes.href.slice(1)), e.attributes.href).toBe(true);
  });

  it('draws a long trace around the evidence only, and the whole trace with every check once, folded', () => {
    const long = Array.from({ length: 200 }, (_, i) => exchange({ id: i + 1, server: 'rs', role: 'mcp', request: { method: 'POST', url: `http://127.0.0.1:41002/mcp?n=${i + 1}` } }));
    const r = report([scenario({ id: 'auth/long', exchanges: long, checks: [check({ id: 'c', status: 'fail', message: 'bad', evidence: [{ exchange: 100, part: 'status' }] })] })]);
    const html = renderHtml(r);
    const start = html.indexOf('<article class="finding finding-fail"');
    const finding = scanHtml(html.slice(start, html.indexOf('</article>', start)));
    expect(finding.elements.filter((e) => classes(e).includes('sd-exchange-row')).map((e) => e.attributes['data-exchange'])).toEqual(['99', '100', '101']);
    expect(finding.text).toContain('⋯ 98 exchanges before not shown');
    expect(finding.text).toContain('⋯ 99 exchanges after not shown');
    const trace = html.slice(html.indexOf('<details class="trace">'));
    expect(scanHtml(trace).text).toContain('Trace: 200 exchanges (the first 150 drawn), with every check');
    expect(scanHtml(trace).elements.filter((e) => classes(e).includes('sd-exchange-row'))).toHaveLength(150);
    expect(scanHtml(trace).text).toContain('⋯ 50 exchanges after not shown');
  });

  it('shows counterexamples, replay lines and outcome counts of property scenarios, and crashed processes with their output', () => {
    const { text } = scanHtml(renderHtml(propertyReport()));
    expect(text).toContain('Counterexample after 9 runs, shrunk 3 times (seed 20261202): 2 copies, strict rotation');
    expect(text).toContain("Replay: mcp-auth-conformance client --command 'node ./my-client.js' --scenario auth/refresh-race --seed=20261202 --replay 8:0:1");
    expect(renderHtml(propertyReport())).toContain('<tr><td>7</td><td>1 refresh, every copy used its successor</td></tr><tr><td>2</td><td>2 refreshes of one token, one refused</td></tr>');
    expect(text).toContain('client-3 exited with code 1 after 640 ms');
    const sample = scanHtml(renderHtml(sampleReport())).text;
    expect(sample).toContain('bell\\x07 and nul\\x00 and escape\\x1bX');
    expect(sample).toContain('client-1 timed out after 30.0 s');
    expect(sample).toContain('the scenario failed outside its checks');
  });

  it('folds expected failures and names the failure that left a check undone', () => {
    const baseline = parseExpectedFailures('client:\n  - auth/pkce-and-resource:pkce-s256\n', 'b.yml');
    const html = renderHtml(applyExpectedFailures(sampleReport(), baseline));
    expect(html).toContain('<details class="finding finding-xfail" id="s2-c2"><summary><span class="sd-badge sd-badge-xfail">XFAIL</span> <code>pkce-s256</code> expected failure:');
    const dead = renderHtml(
      report([scenario({ id: 'auth/d', checks: [check({ id: 'client-process', status: 'fail' }), check({ id: 'later', status: 'not-reached', cause: ['client-process'] })] })]),
    );
    expect(scanHtml(dead).text).toContain('(left undone by the failure of client-process)');
  });

  it('is one self-contained file that loads nothing and runs no script', () => {
    const html = renderHtml(sampleReport());
    const { elements } = scanHtml(html);
    expect(elements.some((e) => ['script', 'link', 'img', 'iframe', 'object', 'embed', 'base', 'form'].includes(e.name))).toBe(false);
    expect(elements.some((e) => e.attributes.src !== undefined)).toBe(false);
    expect(html).not.toMatch(/url\(|@import/);
    for (const e of elements.filter((el) => el.attributes.href !== undefined)) expect(e.attributes.href).toMatch(/^(#[A-Za-z0-9_-]+|https:\/\/modelcontextprotocol\.io\/)/);
    const csp = elements.find((e) => e.name === 'meta' && e.attributes['http-equiv'] === 'Content-Security-Policy');
    expect(csp?.attributes.content).toMatch(/^default-src 'none'; style-src 'unsafe-inline';/);
    expect(renderHtml(sampleReport())).toBe(html);
  });

  it('lets nothing a target wrote become markup', () => {
    const hostile = '</style></title><script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a><!-- ]]> \u0000\u001b[31m';
    const r = report(
      [
        scenario({
          id: `auth/${hostile}`,
          title: hostile,
          description: hostile,
          exchanges: [
            exchange({
              id: 1,
              actor: hostile,
              label: hostile,
              request: { method: 'POST', url: `http://127.0.0.1:1/x?${hostile}=1`, headers: { 'content-type': 'application/x-www-form-urlencoded', [hostile]: hostile }, body: `${hostile}=${hostile}` },
              response: { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ [hostile]: [hostile] }) },
            }),
          ],
          processes: [processOutcome({ actor: hostile, command: hostile, exitCode: 1, stdoutTail: hostile, stderrTail: hostile })],
          property: { runs: 1, seed: 1, counterexample: hostile, replay: hostile, outcomes: { [hostile]: 1 } },
          checks: [
            check({
              id: hostile,
              title: hostile,
              status: 'fail',
              message: hostile,
              requirements: [hostile],
              specLinks: ['javascript:alert(4)', hostile],
              evidence: [{ exchange: 1, part: `form.${hostile}`, note: hostile }, { exchange: 1, part: `body.${hostile}` }, { exchange: 2, part: hostile }],
            }),
            check({ id: 'w', status: 'warn', level: 'SHOULD', message: hostile, evidence: [{ exchange: 1, part: `header.${hostile}` }] }),
          ],
        }),
      ],
      { target: { command: hostile, url: hostile }, tool: { name: hostile, version: hostile } },
    );
    const html = renderHtml(r);
    const { elements, text } = scanHtml(html);
    expect(elements.filter((e) => e.name === 'style')).toHaveLength(1);
    for (const element of elements) {
      expect(REPORT_ELEMENTS.has(element.name), `<${element.name}> leaked in`).toBe(true);
      for (const name of Object.keys(element.attributes)) expect(name.startsWith('on'), `attribute ${name}`).toBe(false);
      if (element.attributes.href !== undefined) expect(element.attributes.href).toMatch(/^#[A-Za-z0-9_-]+$/);
    }
    expect(text).toContain('<script>alert(1)</script><img src=x onerror=alert(2)>');
    expect(html).not.toMatch(/[\u0000\u001b]/);
    // The CSS is the page's own: nothing in it came from the report.
    const style = html.slice(html.indexOf('<style>'), html.indexOf('</style>'));
    expect(style).not.toContain('alert');
  });
});
