export { Transport } from './transport.js';
export { PeerChannelCredentials } from './client.js';
export { PeerServerCredentials } from './server.js';
export { PeerIdentityError } from './peer.js';
export { PLAINTEXT_BASELINE_ENV } from './baseline.js';
