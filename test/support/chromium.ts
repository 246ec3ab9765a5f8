// The system's Chromium (the Debian package), driven by playwright-core, which downloads no browser
// of its own. Browser tests skip without it on a developer's machine, and fail in CI (CI set),
// where skipping would pass them unseen.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const installed = existsSync(CHROMIUM);
const inCi = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/** Why a browser test is skipped here, if it is: Chromium missing outside CI. */
export const chromiumSkipReason: string | undefined = installed || inCi ? undefined : `${CHROMIUM} is missing (apt-get install chromium); skipped outside CI`;

/** Chromium, or the error that fails a browser test in CI when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!installed) throw new Error(`CI is set but ${CHROMIUM} is missing: install it (apt-get install chromium) before running the tests`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
}
