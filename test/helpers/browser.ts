/**
 * One headless chromium (Debian's, driven by playwright-core) for a browser test file, or the
 * reason the file is skipped when it is not installed (`apt-get install chromium`).
 *
 * @example
 *   const chromium = useChromium(); // registers before/after hooks
 *   describe('…', { skip: chromium.skip }, () => { … await chromium.context() … });
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

export function useChromium(): { skip: string | false; context(): Promise<BrowserContext> } {
  const skip = existsSync(CHROMIUM)
    ? false
    : `browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`;
  if (skip) console.log(`# ${skip}`);
  let browser: Browser | null = null;
  before(async () => {
    if (skip) return;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-domain-reliability',
        '--disable-sync',
        '--no-first-run',
        '--no-pings',
      ],
    });
  });
  after(async () => {
    await browser?.close();
  });
  return {
    skip,
    context() {
      assert.ok(browser, 'the browser is launched');
      return browser.newContext({ viewport: { width: 1280, height: 900 } });
    },
  };
}
