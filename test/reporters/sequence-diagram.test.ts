import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../core/trace.js';
import { renderExchangeDetail, renderSequenceDiagram, renderTraceWithVerdicts, SEQUENCE_DIAGRAM_CSS, verdictHighlights } from '../../reporters/sequence-diagram.js';
import { REPORT_ELEMENTS, scanHtml, type ScannedElement } from '../support/html-scan.js';
import { exchange, flawedFlow } from '../support/report-fixtures.js';

const flow = flawedFlow();
const byId = (id: number) => flow.find((e) => e.id === id)!;
const svgOf = (html: string) => scanHtml(html).elements;
const withClass = (elements: ScannedElement[], cls: string) => elements.filter((e) => (e.attributes.class ?? '').split(' ').includes(cls));
const num = (value: string | undefined) => Number(value);

describe('sequence diagram', () => {
  it('draws a lane per actor and per server: clients, the browser, then the servers in a fixed order', () => {
    const elements = svgOf(renderSequenceDiagram(flow));
    expect(withClass(elements, 'sd-lane').map((e) => e.attributes['data-lane'])).toEqual(['client-1', 'browser', 'external', 'rs', 'as']);
    expect(withClass(elements, 'sd-exchange-row').map((e) => e.attributes['data-exchange'])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    // A request and a response arrow for every exchange, the response dashed.
    expect(withClass(elements, 'sd-req').filter((e) => e.name === 'line')).toHaveLength(7);
    expect(withClass(elements, 'sd-res').filter((e) => e.name === 'line').every((e) => e.attributes.class.includes('sd-dashed'))).toBe(true);
  });

  it('labels arrows with the method, path and status', () => {
    const { text } = scanHtml(renderSequenceDiagram([byId(6), byId(4)]));
    expect(text).toContain('#4 GET /authorize?response_type=code');
    expect(text).toContain('#6 POST /token');
    expect(text).toContain('302');
    expect(text).toContain('#4 browser → as (authorize): GET http://127.0.0.1:41001/authorize?response_type=code&client_id=dyn-client-7f3a9c');
  });

  it('draws the process under test and the server it answers as on one lane', () => {
    const trace: Exchange[] = [
      exchange({ id: 1, actor: 'kit', server: 'target', role: 'mcp', request: { method: 'POST', url: 'http://127.0.0.1:3000/mcp' }, response: { status: 401 } }),
      exchange({ id: 2, actor: 'server', server: 'as', role: 'introspection', request: { method: 'POST', url: 'http://127.0.0.1:4000/introspect' } }),
      exchange({ id: 3, actor: 'server', server: 'upstream', role: 'upstream', request: { url: 'http://127.0.0.1:5000/api' } }),
      exchange({ id: 4, actor: 'kit', server: 'target', role: 'mcp', request: { method: 'POST', url: 'http://127.0.0.1:3000/mcp' }, response: null, error: 'ECONNRESET' }),
    ];
    const html = renderSequenceDiagram(trace);
    expect(withClass(svgOf(html), 'sd-lane').map((e) => e.attributes['data-lane'])).toEqual(['kit', 'target', 'as', 'upstream']);
    expect(scanHtml(html).text).toContain('no response: ECONNRESET');
  });

  it('gives a server it does not know a lane of its own, after the known ones', () => {
    const unknown = { ...byId(2), id: 8, server: 'cache' } as unknown as Exchange;
    const lanes = withClass(svgOf(renderSequenceDiagram([byId(1), unknown, byId(3)])), 'sd-lane').map((e) => e.attributes['data-lane']);
    expect(lanes).toEqual(['client-1', 'rs', 'as', 'cache']);
  });

  it('marks highlighted exchanges with a band and their parts with a chip on the side they belong to', () => {
    const html = renderSequenceDiagram(flow, {
      highlight: [
        { exchange: 4, part: 'query.code_challenge_method', note: 'must be S256' },
        { exchange: 1, part: 'status', tone: 'warn' },
        { exchange: 3, part: 'body.issuer', tone: 'warn' },
        { exchange: 6 },
      ],
    });
    const elements = svgOf(html);
    const rows = withClass(elements, 'sd-highlighted');
    expect(rows.map((r) => [r.attributes['data-exchange'], r.attributes.class])).toEqual([
      ['1', 'sd-exchange-row sd-tone-warn sd-highlighted'],
      ['3', 'sd-exchange-row sd-tone-warn sd-highlighted'],
      ['4', 'sd-exchange-row sd-tone-fail sd-highlighted'],
      ['6', 'sd-exchange-row sd-tone-fail sd-highlighted'],
    ]);
    expect(withClass(elements, 'sd-band')).toHaveLength(4);
    const chips = withClass(elements, 'sd-part').map((c) => [c.attributes['data-exchange'], c.attributes['data-part'], c.attributes['data-side'], c.attributes.class]);
    expect(chips).toEqual([
      ['1', 'status', 'response', 'sd-part sd-tone-warn'],
      ['3', 'body.issuer', 'response', 'sd-part sd-tone-warn'],
      ['4', 'query.code_challenge_method', 'request', 'sd-part sd-tone-fail'],
    ]);
    const { text } = scanHtml(html);
    expect(text).toContain('query.code_challenge_method = "plain"');
    expect(text).toContain('query.code_challenge_method = "plain" — must be S256');
    expect(text).toContain('status = 401');
    expect(text).toContain('body.issuer (response) = "http://127.0.0.1:41001/other"');
  });

  it('keeps every chip inside the drawing, however long the value', () => {
    const long = exchange({ id: 1, request: { url: `http://127.0.0.1:1/authorize?scope=${'x'.repeat(2000)}` } });
    const elements = svgOf(renderSequenceDiagram([long], { highlight: [{ exchange: 1, part: 'query.scope' }] }));
    const svg = elements.find((e) => e.name === 'svg')!;
    const width = num(svg.attributes.width);
    expect(svg.attributes.viewbox ?? svg.attributes.viewBox).toBe(`0 0 ${width} ${svg.attributes.height}`);
    const rects = elements.filter((e) => e.name === 'rect');
    for (const rect of rects) {
      expect(num(rect.attributes.x)).toBeGreaterThanOrEqual(0);
      expect(num(rect.attributes.x) + num(rect.attributes.width)).toBeLessThanOrEqual(width);
    }
    // 7.4 px a character is the estimate; the text must fit the chip drawn for it.
    const chipText = scanHtml(renderSequenceDiagram([long], { highlight: [{ exchange: 1, part: 'query.scope' }] })).text;
    expect(chipText).toContain('query.scope = "xxxx');
    expect(chipText).toContain('…');
  });

  it('says how many exchanges were left out between, before and after those drawn', () => {
    const html = renderSequenceDiagram([byId(2), byId(3), byId(7)], { total: 9 });
    const gaps = withClass(svgOf(html), 'sd-gap');
    expect(gaps).toHaveLength(3);
    const { text } = scanHtml(html);
    expect(text).toContain('⋯ 1 exchange before not shown');
    expect(text).toContain('⋯ 3 exchanges not shown');
    expect(text).toContain('⋯ 2 exchanges after not shown');
  });

  it('gives rows ids only when asked, and says when there is nothing to draw', () => {
    expect(svgOf(renderSequenceDiagram(flow)).some((e) => e.attributes.id !== undefined)).toBe(false);
    const ids = svgOf(renderSequenceDiagram(flow, { idPrefix: 'live"><x' })).flatMap((e) => (e.attributes.id ? [e.attributes.id] : []));
    expect(ids).toEqual(['live___x-x1', 'live___x-x2', 'live___x-x3', 'live___x-x4', 'live___x-x5', 'live___x-x6', 'live___x-x7']);
    expect(renderSequenceDiagram([])).toBe('<p class="sd-empty">No exchanges were recorded.</p>');
  });

  it('is one pure function of its input', () => {
    const options = { highlight: [{ exchange: 4, part: 'query.code_challenge_method' }] };
    expect(renderSequenceDiagram(flawedFlow(), options)).toBe(renderSequenceDiagram([...flawedFlow()].reverse(), options));
  });
});

describe('exchange detail', () => {
  const marked = (html: string) => {
    const marks: string[] = [];
    const re = /<mark class="sd-mark([^"]*)">([\s\S]*?)<\/mark>/g;
    for (let m = re.exec(html); m; m = re.exec(html)) marks.push(scanHtml(m[2]).text + (m[1].includes('sd-absent') ? ' [absent]' : ''));
    return marks;
  };

  it('lays the URL out a parameter a line and marks the query parameter a part names', () => {
    const html = renderExchangeDetail(byId(4), { highlight: [{ exchange: 4, part: 'query.code_challenge_method' }, { exchange: 4, part: 'query.prompt' }] });
    expect(marked(html)).toEqual(['&code_challenge_method=plain', '(no prompt query parameter) [absent]']);
    const { text } = scanHtml(html);
    expect(text).toContain('GET http://127.0.0.1:41001/authorize\n    ?response_type=code\n    &client_id=dyn-client-7f3a9c');
    expect(text).toContain('location: http://127.0.0.1:53682/callback?code=c0de');
  });

  it('marks form fields, headers, the status and JSON members, and says what is absent', () => {
    expect(marked(renderExchangeDetail(byId(6), { highlight: [{ exchange: 6, part: 'form.resource' }, { exchange: 6, part: 'form.grant_type' }] }))).toEqual([
      'grant_type=authorization_code',
      '(no resource form field) [absent]',
    ]);
    expect(marked(renderExchangeDetail(byId(7), { highlight: [{ exchange: 7, part: 'header.Authorization', tone: 'warn' }] }))).toEqual(['authorization: bearer at-1']);
    expect(marked(renderExchangeDetail(byId(1), { highlight: [{ exchange: 1, part: 'status' }, { exchange: 1, part: 'response.header.www-authenticate' }] }))).toEqual([
      '401',
      'www-authenticate: Bearer resource_metadata="http://127.0.0.1:41002/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"',
    ]);
    expect(marked(renderExchangeDetail(byId(3), { highlight: [{ exchange: 3, part: 'body.issuer' }, { exchange: 3, part: 'body.registration_endpoint' }] }))).toEqual([
      '"issuer": "http://127.0.0.1:41001/other"',
      '(no registration_endpoint member) [absent]',
    ]);
    // A marked member spanning lines is marked line by line, indentation left out.
    expect(marked(renderExchangeDetail(byId(3), { highlight: [{ exchange: 3, part: 'body.code_challenge_methods_supported' }] }))).toEqual([
      '"code_challenge_methods_supported": [',
      '"S256"',
      ']',
    ]);
    expect(marked(renderExchangeDetail(byId(1), { highlight: [{ exchange: 1, part: 'body.method' }] }))).toEqual(['"method": "initialize"']);
  });

  it('shows an exchange that got no response, and cuts long bodies saying how much', () => {
    const failed = exchange({ id: 9, request: { url: 'http://127.0.0.1:1/token' }, response: null, error: 'connect ECONNREFUSED' });
    expect(scanHtml(renderExchangeDetail(failed)).text).toContain('(no response: connect ECONNREFUSED)');
    const big = exchange({ id: 9, request: { url: 'http://127.0.0.1:1/x' }, response: { body: 'y'.repeat(100) } });
    expect(scanHtml(renderExchangeDetail(big, { maxBody: 40 })).text).toContain(`${'y'.repeat(40)}\n… (60 more characters)`);
  });
});

describe('trace with verdicts', () => {
  it('lists verdicts most serious first, highlights their evidence and links it to the rows', () => {
    const verdicts = [
      { id: 'ok', status: 'pass' as const },
      { id: 'scheme', status: 'warn' as const, level: 'SHOULD' as const, message: 'lower case', evidence: [{ exchange: 7, part: 'header.authorization' }] },
      { id: 'pkce', status: 'fail' as const, level: 'MUST' as const, requirements: ['C-PKCE-03'], message: 'plain', evidence: [{ exchange: 4, part: 'query.code_challenge_method' }] },
      { id: 'later', status: 'not-reached' as const, cause: ['pkce'] },
    ];
    const html = renderTraceWithVerdicts(flow, verdicts, { idPrefix: 'live' });
    const elements = svgOf(html);
    expect(elements.filter((e) => e.name === 'li' && e.attributes['data-check']).map((e) => e.attributes['data-check'])).toEqual(['pkce', 'later', 'scheme', 'ok']);
    expect(withClass(elements, 'sd-part').map((c) => [c.attributes['data-part'], c.attributes.class])).toEqual([
      ['query.code_challenge_method', 'sd-part sd-tone-fail'],
      ['header.authorization', 'sd-part sd-tone-warn'],
    ]);
    const links = elements.filter((e) => e.name === 'a').map((e) => e.attributes.href);
    expect(links).toEqual(['#live-x4', '#live-x7']);
    for (const link of links) expect(elements.some((e) => `#${e.attributes.id}` === link)).toBe(true);
    const { text } = scanHtml(html);
    expect(text).toContain('left undone by the failure of pkce');
    expect(text).toContain('MUST C-PKCE-03');
  });

  it('works with nothing but ids and statuses, as a live trace has them', () => {
    const html = renderTraceWithVerdicts(flow.slice(0, 2), [{ id: 'prm-fetched', status: 'pass' }]);
    expect(scanHtml(html).text).toContain('PASS prm-fetched');
    expect(verdictHighlights([{ id: 'x', status: 'fail', expectedFailure: true, evidence: [{ exchange: 1 }] }])).toEqual([{ exchange: 1, tone: 'info' }]);
  });

  it('ships the CSS it needs, loading nothing', () => {
    expect(SEQUENCE_DIAGRAM_CSS).toContain('.sd-part');
    expect(SEQUENCE_DIAGRAM_CSS).not.toMatch(/url\(|@import/);
  });
});

describe('escaping', () => {
  const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)></text><foreignObject><iframe src="https://evil.example"></iframe>\u0000\u001b[31m';

  it('lets no recorded string become markup, in the diagram, the detail or the verdicts', () => {
    const e = exchange({
      id: 1,
      actor: hostile,
      role: 'authorize',
      label: hostile,
      request: { method: hostile, url: `http://127.0.0.1:1/${encodeURIComponent(hostile)}?${hostile}=${hostile}`, headers: { [hostile]: hostile, 'content-type': 'application/json' }, body: JSON.stringify({ [hostile]: hostile }) },
      response: { status: 400, headers: { 'x-evil': hostile }, body: hostile },
    });
    const highlight = [{ exchange: 1, part: `query.${hostile}`, note: hostile }, { exchange: 1, part: `body.${hostile}` }, { exchange: 1, part: `header.${hostile}` }, { exchange: 1, part: hostile }];
    const html = [
      renderSequenceDiagram([e], { highlight, idPrefix: hostile, label: hostile }),
      renderExchangeDetail(e, { highlight, idPrefix: hostile }),
      renderTraceWithVerdicts([e], [{ id: hostile, status: 'fail', message: hostile, level: 'MUST', requirements: [hostile], evidence: highlight }], { idPrefix: hostile }),
    ].join('');
    const { elements, text } = scanHtml(html);
    for (const element of elements) {
      expect(REPORT_ELEMENTS.has(element.name), `<${element.name}> leaked in`).toBe(true);
      for (const name of Object.keys(element.attributes)) expect(name.startsWith('on'), `attribute ${name}`).toBe(false);
      expect(element.attributes.src).toBeUndefined();
      if (element.attributes.href !== undefined) expect(element.attributes.href).toMatch(/^#[A-Za-z0-9_-]+$/);
    }
    expect(text).toContain('"><script>alert(1)</script><img src=x onerror=alert(2)>');
    expect(html).not.toMatch(/[\u0000\u001b]/);
  });
});
