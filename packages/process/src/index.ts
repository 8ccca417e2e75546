export { ProcessError } from './errors.js';
export { assertNoBugReports, BUG_MARKER, bugLine, BugReportedError, bugReports } from './bug-marker.js';
export { BUG_EXIT_CODE, guardProcess, type ProcessRole } from './guard.js';
