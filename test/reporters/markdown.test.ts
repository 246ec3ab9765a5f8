// Golden files: test/reporters/golden/*.md are the markdown of the fixture reports, compared byte
// for byte. After a deliberate change to the output, regenerate them with
//   UPDATE_GOLDEN=1 npx vitest run test/reporters/markdown.test.ts
// and review the diff like any other change.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyExpectedFailures, parseExpectedFailures } from '../../core/expected-failures.js';
import type { Report } from '../../core/report.js';
import { parseReporters } from '../../bin/run-command.js';
import { mdCode, mdText, renderMarkdown } from '../../reporters/markdown.js';
import { writeReports } from '../../reporters/write.js';
import { check, deadOnArrivalReport, exchange, interruptedReport, passingReport, propertyReport, report, sampleReport, scenario } from '../support/report-fixtures.js';

const GOLDEN: Record<string, () => Report> = {
  passing: passingReport,
  failing: sampleReport,
  property: propertyReport,
  'not-reached': deadOnArrivalReport,
  interrupted: interruptedReport,
};

const goldenFile = (name: string) => new URL(`./golden/${name}.md`, import.meta.url);

/** The cells of a GFM table row: split on pipes that are not escaped. */
function cells(row: string): string[] {
  expect(row.startsWith('| ') && row.endsWith(' |')).toBe(true);
  return row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((cell) => cell.trim());
}

/** The text with code spans taken out, as CommonMark finds them: a backtick run closed by the next run of the same length. */
function outsideCode(md: string): string {
  let out = '';
  for (let i = 0; i < md.length; ) {
    if (md[i] === '\\') {
      out += md.slice(i, i + 2);
      i += 2;
      continue;
    }
    const run = /^`+/.exec(md.slice(i))?.[0];
    if (!run) {
      out += md[i++];
      continue;
    }
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
    close.lastIndex = i + run.length;
    const end = close.exec(md);
    if (!end) {
      out += run;
      i += run.length;
      continue;
    }
    i = end.index + run.length;
  }
  return out;
}

const tableRows = (md: string, heading: string): string[] => {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  const rows: string[] = [];
  for (let i = start + 4; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
  return rows;
};

describe('markdown reporter', () => {
  for (const [name, build] of Object.entries(GOLDEN)) {
    it(`matches the golden file ${name}.md`, () => {
      const md = renderMarkdown(build());
      if (process.env.UPDATE_GOLDEN) writeFileSync(goldenFile(name), md);
      expect(existsSync(goldenFile(name)), `no golden file ${name}.md; run UPDATE_GOLDEN=1 npx vitest run test/reporters/markdown.test.ts`).toBe(true);
      expect(md).toBe(readFileSync(goldenFile(name), 'utf8'));
    });
  }

  it('heads the summary with role, target, spec version and verdict, then the counts', () => {
    const lines = renderMarkdown(sampleReport()).split('\n');
    expect(lines[0]).toBe('## ❌ client `node ./my-client.js` · spec 2026-07-28 · failed (exit code 1)');
    expect(lines[4]).toBe('**5 scenarios: 1 passed, 3 failed, 1 skipped** · **11 checks: 5 pass, 3 fail, 2 warn, 1 skip** · 0 expected failures');
    expect(renderMarkdown(passingReport()).split('\n')[0]).toBe('## ✅ client `node ./my-client.js` · spec 2026-07-28 · passed (exit code 0)');
    const server = renderMarkdown(report([], { role: 'server', target: { url: 'http://127.0.0.1:3000/mcp', command: 'node server.js' } }));
    expect(server.split('\n')[0]).toBe('## ✅ server `http://127.0.0.1:3000/mcp` started by `node server.js` · spec 2026-07-28 · passed (exit code 0)');
    expect(renderMarkdown(report([], { shard: { index: 2, total: 3 } })).split('\n')[0]).toBe('## ✅ client `node ./my-client.js` · spec 2026-07-28 · shard 2/3 · passed (exit code 0)');
  });

  it('lists failures before warnings, each with the offending exchange and part', () => {
    const md = renderMarkdown(sampleReport());
    expect(md.indexOf('### Failures (4)')).toBeLessThan(md.indexOf('### Warnings (2)'));
    expect(md.indexOf('### Warnings (2)')).toBeLessThan(md.indexOf('<details>'));
    const [pkce] = tableRows(md, '### Failures');
    const row = cells(pkce);
    expect(row).toHaveLength(6);
    expect(row.slice(0, 4)).toEqual(['`auth/pkce-and-resource`', '`pkce-s256`', 'MUST', 'C-PKCE-03']);
    expect(row[5]).toContain('`#4` browser `GET http://127.0.0.1:41001/authorize?response_type=code');
    expect(row[5]).toContain('→ 302 · `query.code_challenge_method = "plain"` (must be S256)');
    // A scenario that failed without a failing check still gets a row, with the reason.
    expect(tableRows(md, '### Failures').at(-1)).toBe('| `auth/scope-step-up` | (scenario) |  |  | client-1 timed out after 30.0 s |  |');
  });

  it('says which steps were not reached and why, and shows counterexamples with their replay line', () => {
    expect(renderMarkdown(deadOnArrivalReport())).toContain(
      '- `auth/metadata-default`: `prm-discovered`, `pkce-code-challenge-sent`, `resource-in-token-request`, `token-sent-as-bearer`, left undone by the failure of client-process',
    );
    const md = renderMarkdown(propertyReport());
    expect(md).toContain('- `auth/refresh-race` after 9 runs, shrunk 3 times (seed 20261202): 2 copies, strict rotation');
    expect(md).toContain("  replay: `mcp-auth-conformance client --command 'node ./my-client.js' --scenario auth/refresh-race --seed=20261202 --replay 8:0:1`");
  });

  it('lists expected failures and stale baseline entries apart from the failures', () => {
    const baseline = parseExpectedFailures('client:\n  - auth/pkce-and-resource:pkce-s256\n  - auth/metadata-default\n', 'b.yml');
    const md = renderMarkdown(applyExpectedFailures(sampleReport(), baseline));
    expect(md).toContain('**Expected failures** (listed in the baseline): `auth/pkce-and-resource:pkce-s256`');
    expect(md).toContain('**Stale baseline entries** (they no longer fail; remove them): `auth/metadata-default`');
    expect(tableRows(md, '### Failures').some((r) => r.includes('`pkce-s256`'))).toBe(false);
  });

  it('escapes pipes, backticks, HTML, mentions and issue references', () => {
    const hostile = 'a|b `tick` ``two`` <script>alert(1)</script> *bold* [x](http://evil) @octocat #12 \\| &amp;';
    const r = report([
      scenario({
        id: 'auth/x|y',
        title: hostile,
        exchanges: [exchange({ id: 1, actor: '<b>client</b>', request: { url: 'http://127.0.0.1:1/a?q=1|2&t=`x`' }, response: { status: 400, body: JSON.stringify({ error: '`|<img src=x onerror=alert(1)>' }) } })],
        checks: [check({ id: 'c|d', status: 'fail', requirements: ['R|1'], message: hostile, evidence: [{ exchange: 1, part: 'body.error', note: hostile }] })],
      }),
    ]);
    const md = renderMarkdown(r);
    const [row] = tableRows(md, '### Failures');
    expect(cells(row)).toHaveLength(6);
    expect(outsideCode(md)).not.toMatch(/<(?!\/?(details|summary|br)>)/);
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).toContain('@\u200boctocat #\u200b12');
    expect(md).toContain('a\\|b \\`tick\\`');
    expect(md).toContain('\\*bold\\* \\[x\\](http://evil)');
    // Inside code spans the value is kept verbatim; only the pipe is escaped, which GFM undoes in a table.
    expect(md).toContain('``body.error (response) = "`\\|<img src=x onerror=alert(1)>"``');
    expect(md).toContain('`` GET http://127.0.0.1:1/a?q=1\\|2&t=`x` ``');
  });

  it('makes code spans that hold any text', () => {
    expect(mdCode('plain')).toBe('`plain`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`start')).toBe('`` `start ``');
    expect(mdCode('x ``` y')).toBe('````x ``` y````');
    expect(mdCode('a|b')).toBe('`a\\|b`');
    expect(mdCode('a|b', false)).toBe('`a|b`');
    expect(mdCode('')).toBe('` `');
    expect(mdCode('line\nbreak\u001b[31m')).toBe('`line break`');
    expect(mdText('under_score & <tag>')).toBe('under\\_score &amp; &lt;tag&gt;');
  });

  it('stays short for large runs, saying how much was left out', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      scenario({
        id: `auth/s${i}`,
        checks: [check({ id: 'f', status: 'fail', message: 'x'.repeat(1000) }), check({ id: 'w', level: 'SHOULD', status: 'warn', message: 'w' })],
      }),
    );
    const md = renderMarkdown(report(many));
    expect(tableRows(md, '### Failures')).toHaveLength(25);
    expect(md).toContain('…and 35 more (60 failures in all; the JSON or HTML report has every one).');
    expect(tableRows(md, '### Warnings')).toHaveLength(15);
    expect(md).toContain('…and 45 more (60 warnings in all; the JSON or HTML report has every one).');
    expect(md.length).toBeLessThan(30_000);
    const capped = renderMarkdown(report(many), { maxScenarios: 10 });
    expect(capped).toContain('…and 50 more scenarios.');
  });

  it('is deterministic and carries no date but the run start', () => {
    const r = sampleReport();
    expect(renderMarkdown(r)).toBe(renderMarkdown(sampleReport()));
    const dates = renderMarkdown(r).match(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g);
    expect(dates).toEqual([r.startedAt]);
  });
});

describe('writing report.md and the job summary', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  const temp = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mcp-auth-conformance-md-'));
    dirs.push(dir);
    return dir;
  };
  const sink = () => {
    const err: string[] = [];
    return { err, sink: { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } } };
  };

  it('writes report.md and appends the same markdown to $GITHUB_STEP_SUMMARY, after what is there', async () => {
    const dir = await temp();
    const summary = path.join(dir, 'step-summary.md');
    await writeFile(summary, '<details>\n<summary>earlier step</summary>\n</details>\n');
    const { err, sink: s } = sink();
    const ok = await writeReports(sampleReport(), { reporters: ['markdown', 'html'], outputDir: dir, verbose: false, color: false, cwd: dir, stepSummary: summary }, s);
    expect(ok).toBe(true);
    const md = await readFile(path.join(dir, 'report.md'), 'utf8');
    expect(md).toBe(renderMarkdown(sampleReport()));
    expect(await readFile(summary, 'utf8')).toBe(`<details>\n<summary>earlier step</summary>\n</details>\n\n${md}`);
    expect(existsSync(path.join(dir, 'report.html'))).toBe(true);
    expect(err).toEqual(['wrote report.md\n', 'appended the summary to $GITHUB_STEP_SUMMARY\n', 'wrote report.html\n']);

    // A second suite in the same job adds its own summary below the first.
    await writeReports(passingReport(), { reporters: ['markdown'], outputDir: dir, verbose: false, color: false, cwd: dir, stepSummary: summary }, sink().sink);
    expect(await readFile(summary, 'utf8')).toBe(`<details>\n<summary>earlier step</summary>\n</details>\n\n${md}\n${renderMarkdown(passingReport())}`);
  });

  it('leaves the job summary alone without the markdown reporter, and says when it cannot append', async () => {
    const dir = await temp();
    const summary = path.join(dir, 'step-summary.md');
    await writeReports(sampleReport(), { reporters: ['json'], outputDir: dir, verbose: false, color: false, cwd: dir, stepSummary: summary }, sink().sink);
    expect(existsSync(summary)).toBe(false);

    const { err, sink: s } = sink();
    const missing = path.join(dir, 'no-such-dir', 'summary.md');
    const ok = await writeReports(sampleReport(), { reporters: ['markdown'], outputDir: dir, verbose: false, color: false, cwd: dir, stepSummary: missing }, s);
    expect(ok).toBe(false);
    expect(err.at(-1)).toMatch(/^mcp-auth-conformance: cannot append to the job summary .*summary\.md: ENOENT/);
  });

  it('is chosen with --reporter markdown', () => {
    expect(parseReporters('console,markdown,html')).toEqual(['console', 'markdown', 'html']);
    expect(() => parseReporters('pdf')).toThrow(/valid reporters: console, json, junit, markdown, html/);
  });
});
