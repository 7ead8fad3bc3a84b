/**
 * jest's globalTeardown: stop every shared test server (./servers/shared.ts), also after failures,
 * then the secret-hygiene scan of everything the run wrote (./secretScan.ts).
 * Plain CommonJS: jest loads it outside the test module system (no moduleNameMapper), and its
 * transform makes the two TypeScript files requirable here by their extensionless names.
 */
const { stopAllServers } = require('./servers/shared');
const secretScan = require('./secretScan');

module.exports = function teardown() {
  const root = process.env[secretScan.RUN_ROOT_ENV];
  if (root) stopAllServers(root);
  (secretScan.default ?? secretScan)();
};
