// Launches the test Chromium (see chromium.ts) and opens pages the way every browser suite wants
// them: a fixed locale, console errors and page errors collected. Not for: the page's own logic.
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { CHROMIUM_ARGS, WEBGPU_ARGS } from './chromium.js';

/** The test Chromium; with `webgpu`, with WebGPU on SwiftShader (chromium.ts). */
export async function launchBrowser(options: { webgpu?: boolean } = {}): Promise<Browser> {
  const { executablePath, env } = inject('chromium');
  const args = options.webgpu ? [...CHROMIUM_ARGS, ...WEBGPU_ARGS] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath, args, env: { ...process.env, ...env } as Record<string, string> });
}

/**
 * A new page with navigator.language 'en-US' (the npm Chromium otherwise reports the POSIX
 * locale, `en-US@posix`), collecting console errors and warnings and uncaught errors in `problems`.
 */
export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale: 'en-US', ...options });
  const page = await context.newPage();
  page.on('close', () => context.close().catch(() => {})); // the browser may be closing too
  const problems: string[] = [];
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { page, problems };
}
