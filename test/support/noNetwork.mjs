// Preloaded into a child process (node --import) to prove it needs no network: every socket
// connection, to anywhere, fails at once.
import net from 'node:net';

net.Socket.prototype.connect = function connect() {
  throw new Error('network access is disabled in this test');
};
