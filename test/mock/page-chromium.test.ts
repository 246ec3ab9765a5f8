// The mock's page in a real browser: the reference client's exchanges drawn as a sequence diagram
// with the live verdicts beside it, new exchanges drawn without a reload, nothing loaded from
// elsewhere. Skipped without Chromium outside CI (test/support/chromium.ts).
//
// A screenshot of the page is written to $MOCK_PAGE_SCREENSHOT, or to
// mcp-auth-conformance-mock-page.png in the system's temporary directory, to look at.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { ensureCompiled, REFERENCE_CLIENT, ROOT } from '../support/compiled.js';
import { codeFlow, mcp, rpc } from '../mocks/world-helpers.js';
import { clientMock, worldOf } from './support.js';

if (chromiumSkipReason) console.warn(`test/mock/page-chromium.test.ts: ${chromiumSkipReason}`);

const SCREENSHOT = process.env.MOCK_PAGE_SCREENSHOT ?? path.join(tmpdir(), 'mcp-auth-conformance-mock-page.png');

describe.skipIf(chromiumSkipReason !== undefined)(`the mock's page in headless Chromium${chromiumSkipReason ? ` (${chromiumSkipReason})` : ''}`, () => {
  let browser: Browser;
  let stateDir: string;

  beforeAll(async () => {
    ensureCompiled(REFERENCE_CLIENT);
    stateDir = await mkdtemp(path.join(tmpdir(), 'mac-mock-page-'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('draws the exchanges with the verdicts beside them, redraws as the trace grows, and loads nothing else', async () => {
    const started = await clientMock();
    const { urls } = started.mock.info();
    const exit = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, REFERENCE_CLIENT.compiled), urls.mcp], { env: { ...process.env, MCP_CONFORMANCE_STATE_DIR: stateDir, HOME: stateDir }, stdio: 'ignore' });
      child.on('close', resolve);
    });
    expect(exit).toBe(0);
    const world = await worldOf(started);
    // A second client that leaves resource out of its token request, so that a failure shows.
    await codeFlow(world, { resource: null });

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(urls.page);

    const drawn = async (): Promise<number> => Number(await page.locator('[data-exchanges]').getAttribute('data-exchanges'));
    const before = await drawn();
    expect(before).toBeGreaterThan(10);
    expect(await page.locator('svg.sd').count()).toBe(1);
    expect(await page.locator('svg.sd .sd-request').count()).toBe(before);
    expect(await page.locator('.sd-verdicts > li').count()).toBeGreaterThan(10);
    const failing = page.locator('.sd-verdicts > li.sd-v-fail[data-check="resource-in-token-request"]');
    expect(await failing.count()).toBe(1);
    expect(await page.locator('svg.sd .sd-tone-fail').count()).toBeGreaterThan(0);
    expect(await page.locator('header').innerText()).toContain(urls.mcp);

    // New exchanges appear without a reload: the marker set on this document survives.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await mcp(world, rpc(1, 'initialize'));
    await mcp(world, rpc(2, 'tools/list'));
    await page.waitForFunction((count) => Number(document.querySelector('[data-exchanges]')?.getAttribute('data-exchanges')) >= count + 2, before, { timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(await page.locator('svg.sd .sd-request').count()).toBe(before + 2);
    expect(await page.locator('#status').innerText()).toContain('live');

    const screenshot = await page.screenshot({ fullPage: true });
    await writeFile(SCREENSHOT, screenshot);
    // Not a blank or single-colour page: the diagram, the badges and the highlighted failure are there.
    const colours = await page.evaluate(async (png) => {
      const image = new Image();
      image.src = `data:image/png;base64,${png}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, image.width, image.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4) seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      return seen.size;
    }, screenshot.toString('base64'));
    expect(colours).toBeGreaterThan(20);

    const control = new URL(urls.control).origin;
    expect(requested.filter((url) => !url.startsWith(control) && !url.startsWith('data:'))).toEqual([]);
    await page.close();
  });
});
