// The system's Chromium, headless, driven by playwright-core (no browser is downloaded), for the
// browser tests: one throwaway profile per test, closed and removed when the test ends, and the
// page's uncaught errors collected.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** The browser: `$CHROMIUM`, else the distribution's. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** A test's `skip` option: the reason to skip it where there is no Chromium. */
export const withoutChromium = !existsSync(CHROMIUM) && `no ${CHROMIUM}`;

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A new page in a fresh headless Chromium that closes with test `t`, and the page's errors. */
export async function chromiumPage(t) {
  const profile = mkdtempSync(path.join(tmpdir(), 'nanomitter-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  // One hook, in this order: the browser writes to its profile until it is closed.
  t.after(async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  });
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  return { page, problems };
}
