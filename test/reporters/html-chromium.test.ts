// The HTML report in a real browser: the system's headless Chromium (see test/support/chromium.ts;
// skipped without it outside CI, failing in CI).
//
// The screenshot of the failing report stays in the test's temporary directory; one copy is also
// written to $HTML_REPORT_SCREENSHOT, or to mcp-auth-conformance-report.png in the system's
// temporary directory, to look at.
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../core/report.js';
import { renderHtml } from '../../reporters/html.js';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { check, exchange, report, sampleReport, scenario } from '../support/report-fixtures.js';

const VIEWPORT = { width: 1280, height: 900 };
if (chromiumSkipReason) console.warn(`test/reporters/html-chromium.test.ts: ${chromiumSkipReason}`);

/** Width, height and the number of distinct colours of an 8-bit RGB or RGBA PNG (what Chromium writes), decoded just enough. */
function pngStats(png: Buffer): { width: number; height: number; colours: number } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const chunk = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = chunk.readUInt32BE(0);
      height = chunk.readUInt32BE(4);
      expect(chunk[8]).toBe(8); // bit depth
      expect(chunk[12]).toBe(0); // not interlaced
      channels = { 2: 3, 6: 4 }[chunk[9]] ?? 0;
      expect(channels).toBeGreaterThan(0);
    } else if (type === 'IDAT') {
      data.push(chunk);
    }
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  let previous = Buffer.alloc(stride);
  const colours = new Set<number>();
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels] : 0;
      const b = previous[x];
      const c = x >= channels ? previous[x - channels] : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      row[x] = (row[x] + predictor) & 0xff;
    }
    for (let x = 0; x < stride; x += channels) colours.add((row[x] << 16) | (row[x + 1] << 8) | row[x + 2]);
    previous = row;
  }
  return { width, height, colours: colours.size };
}

/** A report whose every recorded string tries to become markup or reach the network. */
function hostileReport(): Report {
  const hostile = '"><script>window.__pwned=1</script><img src="https://evil.example/x.png" onerror="window.__pwned=2;alert(2)"><link rel=stylesheet href=https://evil.example/s.css>';
  return report([
    scenario({
      id: `auth/${hostile}`,
      title: hostile,
      exchanges: [
        exchange({
          id: 1,
          actor: hostile,
          request: { url: `http://127.0.0.1:1/authorize?x=${encodeURIComponent(hostile)}&${hostile}`, headers: { [hostile]: hostile } },
          response: { status: 400, headers: { 'content-type': 'text/html' }, body: `<html><body>${hostile}<iframe src="https://evil.example/"></iframe></body></html>` },
        }),
      ],
      checks: [check({ id: 'x', status: 'fail', message: hostile, evidence: [{ exchange: 1, part: 'query.x', note: hostile }, { exchange: 1, part: 'body' }] })],
    }),
  ]);
}

describe.skipIf(chromiumSkipReason !== undefined)(`HTML report in headless Chromium${chromiumSkipReason ? ` (${chromiumSkipReason})` : ''}`, () => {
  let browser: Browser | undefined;
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcp-auth-conformance-html-'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Opens the report's HTML from a file, recording every request the page makes. */
  async function open(html: string, name: string, options: { javaScriptEnabled?: boolean } = {}): Promise<{ page: Page; requests: string[]; dialogs: string[]; file: string }> {
    const file = path.join(dir, `${name}.html`);
    await writeFile(file, html);
    const context = await browser!.newContext({ viewport: VIEWPORT, ...options });
    const page = await context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, requests, dialogs, file };
  }

  it('shows a failing scenario first, its highlighted part inside its diagram, and loads nothing', async () => {
    const { page, requests, file } = await open(renderHtml(sampleReport()), 'failing');
    try {
      const first = page.locator('main > section').first();
      expect(await first.getAttribute('data-status')).toBe('fail');
      expect(await first.locator('summary').first().innerText()).toContain('auth/pkce-and-resource');

      const diagram = page.locator('article.finding-fail .diagram svg').first();
      const part = diagram.locator('.sd-part[data-part="query.code_challenge_method"]');
      await part.scrollIntoViewIfNeeded();
      expect(await part.isVisible()).toBe(true);
      const [partBox, diagramBox] = [await part.boundingBox(), await diagram.boundingBox()];
      expect(partBox && diagramBox).toBeTruthy();
      expect(partBox!.width).toBeGreaterThan(100);
      expect(partBox!.x).toBeGreaterThanOrEqual(diagramBox!.x);
      expect(partBox!.y).toBeGreaterThanOrEqual(diagramBox!.y);
      expect(partBox!.x + partBox!.width).toBeLessThanOrEqual(diagramBox!.x + diagramBox!.width);
      expect(partBox!.y + partBox!.height).toBeLessThanOrEqual(diagramBox!.y + diagramBox!.height);
      // After scrolling to it, the part is on screen.
      expect(partBox!.y).toBeGreaterThanOrEqual(0);
      expect(partBox!.y + partBox!.height).toBeLessThanOrEqual(VIEWPORT.height);
      // The chip's text is drawn inside its own box, whatever the font turned out to be.
      const textBox = await part.locator('text').boundingBox();
      expect(textBox!.x + textBox!.width).toBeLessThanOrEqual(partBox!.x + partBox!.width + 1);
      expect(await part.locator('text').textContent()).toBe('query.code_challenge_method = "plain"');
      // And the same part is marked in the request shown in full below the diagram.
      const mark = page.locator('#s2-c2-d4 mark.sd-tone-fail');
      expect(await mark.innerText()).toBe('&code_challenge_method=plain');
      expect(await mark.isVisible()).toBe(true);

      await page.evaluate(() => window.scrollTo(0, 0));
      const shot = await page.screenshot({ path: path.join(dir, 'failing.png') });
      await copyFile(path.join(dir, 'failing.png'), process.env.HTML_REPORT_SCREENSHOT ?? path.join(tmpdir(), 'mcp-auth-conformance-report.png'));
      const blankPage = await page.context().newPage();
      await blankPage.setContent('<!DOCTYPE html><title>blank</title>');
      const blank = await blankPage.screenshot();
      const stats = pngStats(shot);
      expect(stats).toMatchObject({ width: VIEWPORT.width, height: VIEWPORT.height });
      expect(pngStats(blank).colours).toBe(1);
      // Text, badges, the red band of the failure: a page, not an empty canvas.
      expect(stats.colours).toBeGreaterThan(200);
      expect(shot.length).toBeGreaterThan(10 * blank.length);

      expect(requests).toEqual([pathToFileURL(file).href]);
    } finally {
      await page.context().close();
    }
  });

  it('runs nothing and fetches nothing that a target put in the report', async () => {
    const { page, requests, dialogs, file } = await open(renderHtml(hostileReport()), 'hostile');
    try {
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('script, img, iframe, link, object, embed').count()).toBe(0);
      const handlers = await page.evaluate(() => [...document.querySelectorAll('*')].flatMap((e) => e.getAttributeNames().filter((n) => n.startsWith('on'))));
      expect(handlers).toEqual([]);
      expect(await page.locator('main > section').first().locator('summary').first().innerText()).toContain('<script>window.__pwned=1</script>');
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
    } finally {
      await page.context().close();
    }
  });

  it('folds and unfolds with JavaScript off', async () => {
    const { page } = await open(renderHtml(sampleReport()), 'no-script', { javaScriptEnabled: false });
    try {
      const passing = page.locator('section[data-status="pass"]');
      const body = passing.locator('.scenario-body');
      expect(await body.isVisible()).toBe(false);
      await passing.locator('summary').first().click();
      expect(await body.isVisible()).toBe(true);
      expect(await page.locator('section[data-status="fail"] .sd-part').first().isVisible()).toBe(true);
    } finally {
      await page.context().close();
    }
  });
});
