export { AdminCallError, AdminConnection, connectAdmin } from './client.js';
export { serveAdmin, type AdminSocket, type AdminTarget } from './server.js';
export { ADMIN_SOCKET_FILE, AdminSocketError, adminSocketPath, MAX_SOCKET_PATH } from './socket.js';
