/**
 * The script of every PIN page (built by src/build/pageScripts.ts). Inside a Teams dialog it loads
 * @microsoft/teams-js (a chunk of its own), initialises it and, once the PIN is set, closes the
 * dialog with a result for the bot. Outside a frame (a link from email or SMS) it loads nothing and
 * makes no request: teams-js fetches a list of origins from Microsoft's CDN as soon as it is loaded,
 * which the page's CSP forbids. The page never waits for it: the form is plain HTML.
 */
const SDK_WAIT_MS = 5000;

async function main(): Promise<void> {
  // Not framed: opened straight from an email or SMS link.
  if (window.parent === window) return;
  const { app, dialog } = await import('@microsoft/teams-js');
  const gaveUp = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SDK_WAIT_MS));
  const inTeams = await Promise.race([app.initialize().then(() => true, () => false), gaveUp]);
  if (inTeams && document.body.dataset['outcome'] === 'pin-set') dialog.url.submit({ pinChanged: true });
}

void main();
