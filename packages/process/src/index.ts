export { ProcessError } from './errors.js';
export { assertNoBugReports, BUG_MARKER, bugLine, BugReportedError, bugReports } from './bug-marker.js';
export { BUG_EXIT_CODE, guardProcess, type ProcessRole } from './guard.js';
export { errorMessage, exitWithError, FAILURE_EXIT_CODE } from './exit.js';
export { READY_PREFIX, runService, type ServiceOptions, type StartedService } from './service.js';
export { runProgram } from './program.js';
export { Clock, ClockError } from './clock.js';
export { Chore, type ChoreRun, type ChoreStatus } from './chore.js';
export { Chores, UnknownChoreError } from './chores.js';
