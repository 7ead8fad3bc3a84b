/**
 * jest's globalSetup: one run root for every DATA_DIR and log the tests write (./secretRun.setup.ts),
 * then the PIN page's browser files, built as `npm run build` and `npm start` build them (the
 * servers the tests start serve them, and never build anything themselves).
 * Plain CommonJS, like ./globalTeardown.cjs: jest loads it outside the test module system.
 */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const secretRun = require('./secretRun.setup');

module.exports = function setup() {
  (secretRun.default ?? secretRun)();
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'src/build/pageScripts.ts')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
};
