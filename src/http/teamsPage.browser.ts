/**
 * The PIN page's only script, bundled by esbuild with @microsoft/teams-js (see teamsPageScript.ts).
 * Inside a Teams dialog it initialises the SDK and, once the PIN is set, closes the dialog with a
 * result for the bot. Outside Teams (a link from email or SMS) it does nothing, and the page never
 * waits for it: the form is plain HTML.
 */
import { app, dialog } from '@microsoft/teams-js';

const SDK_WAIT_MS = 5000;

async function inTeams(): Promise<boolean> {
  // Not framed: opened straight from an email or SMS link.
  if (window.parent === window) return false;
  const gaveUp = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SDK_WAIT_MS));
  return Promise.race([app.initialize().then(() => true, () => false), gaveUp]);
}

async function main(): Promise<void> {
  if (!(await inTeams())) return;
  if (document.body.dataset['outcome'] === 'pin-set') dialog.url.submit({ pinChanged: true });
}

void main();
