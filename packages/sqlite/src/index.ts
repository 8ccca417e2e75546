export { migrate, MigrationError, type Migration } from './migrate.js';
export { BUSY_TIMEOUT_MS, openSqlite, type OpenOptions } from './open.js';
