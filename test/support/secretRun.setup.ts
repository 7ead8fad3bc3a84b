/** jest globalSetup: one run root for every DATA_DIR and log the tests write (see ./secretScan.ts, the teardown). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): void {
  // The name is RUN_ROOT_ENV in ./secretScan.ts; jest loads this file outside the test module system, so it imports nothing of ours.
  // Short, so admin.sock paths under it stay within the Unix socket limit.
  process.env.PIN_RESET_TEST_RUN_ROOT = mkdtempSync(join(tmpdir(), 'prb-run-'));
  // Shared test servers (./servers/shared.ts) watch this process and stop if it dies without a teardown.
  process.env.PIN_RESET_TEST_MAIN_PID = String(process.pid);
}
