import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run), headless, as every browser test here runs it; `extraArgs` add flags. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs] });
}
