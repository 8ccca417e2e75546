/**
 * The `uplink` command: Storj's uplink CLI, command for command where dcsim has them. Each command lives in
 * its own file under cli/; this file only wires them together.
 */
import { Command } from 'commander';
import { runProgram } from '@dcsim/process';
import { register as accessCreate } from './cli/access-create.js';
import { register as accessImport } from './cli/access-import.js';
import { register as accessInspect } from './cli/access-inspect.js';
import { register as accessList } from './cli/access-list.js';
import { register as accessRemove } from './cli/access-remove.js';
import { register as accessRestrict } from './cli/access-restrict.js';
import { register as accessRevoke } from './cli/access-revoke.js';
import { register as accessUse } from './cli/access-use.js';
import { register as cp } from './cli/cp.js';
import { register as encryptKey } from './cli/encrypt-key.js';
import { normalizeBooleanFlags } from './cli/flags.js';
import { register as ls } from './cli/ls.js';
import { register as mb } from './cli/mb.js';
import { register as metaGet } from './cli/meta-get.js';
import { register as mv } from './cli/mv.js';
import { register as pieces } from './cli/pieces.js';
import { register as rb } from './cli/rb.js';
import { register as rm } from './cli/rm.js';
import { register as share } from './cli/share.js';

const program = new Command('uplink')
  .description('dcsim uplink: encrypts, erasure-codes and stores objects on the network; all keys stay on this machine')
  .option('--access <grant|name>', 'access grant, or the name of a saved one (default: $UPLINK_ACCESS, then the saved default)')
  .option('--config-dir <dir>', 'where saved accesses live (default: $XDG_CONFIG_HOME/dcsim-uplink or ~/.config/dcsim-uplink)')
  .showHelpAfterError('(run with --help for usage)');

mb(program);
rb(program);
ls(program);
cp(program);
mv(program);
rm(program);
const meta = program.command('meta').description('object metadata');
metaGet(meta);
share(program);
const access = program.command('access').description('create, save, restrict, inspect and revoke access grants');
accessCreate(access);
accessImport(access);
accessList(access);
accessUse(access);
accessRemove(access);
accessRestrict(access);
accessRevoke(access);
accessInspect(access);
encryptKey(program);
pieces(program);

await runProgram('uplink', program, normalizeBooleanFlags(process.argv.slice(2)));
