/**
 * `uplink access create --satellite-address A --api-key K`: a new access grant from an API key and a
 * passphrase. The satellite is asked only for the project's salt (authorized by the API key); the root key
 * is derived here from the passphrase and the salt, and neither ever leaves this machine or reaches a log.
 * The passphrase comes from --passphrase, else a prompt without echo on a terminal, else standard input.
 */
import { CipherSuite } from '@dcsim/crypto/encryption';
import { serializeAccess } from '@dcsim/crypto/grant';
import type { Command } from 'commander';
import { requestAccess } from '../index.js';
import { addSaveOptions, checkAccessName, saveNamedAccess, type SaveOptions } from './access-save.js';
import { CliError, action } from './errors.js';
import { promptLine, promptSecret, readStdinText } from './prompt.js';

interface CreateOptions extends SaveOptions {
  satelliteAddress?: string;
  apiKey?: string;
  passphrase?: string;
  passphraseStdin?: boolean;
  importAs?: string;
  unencryptedObjectKeys?: boolean;
}

export function register(access: Command): void {
  addSaveOptions(
    access
      .command('create')
      .description(
        'create an access grant from a satellite address, an API key and a passphrase (the passphrase never leaves this machine)',
      )
      .option('--satellite-address <id@host:port>', 'the satellite, <node id>@host:port (prompted for on a terminal if missing)')
      .option('--api-key <key>', 'the API key (prompted for on a terminal if missing)')
      .option('--passphrase <passphrase>', 'encryption passphrase (default: prompted for without echo on a terminal, else read from stdin)')
      .option('--passphrase-stdin', 'read the passphrase from standard input')
      .option('--import-as <name>', 'save the access under this name instead of printing it')
      .option('--unencrypted-object-keys', 'do not encrypt object keys (the satellite sees them; listings sort by name)'),
  ).action(
    action(async (opts: CreateOptions, cmd: Command) => {
      if (opts.importAs !== undefined) checkAccessName(opts.importAs);
      const satellite = opts.satelliteAddress ?? (await promptLine('Satellite address:', '--satellite-address'));
      const apiKey = opts.apiKey ?? (await promptLine('API key:', '--api-key'));
      const passphrase = await readPassphrase(opts);
      if (passphrase === '') throw new CliError('the encryption passphrase must not be empty');
      const grant = await requestAccess(satellite, apiKey, passphrase, {
        pathCipher: opts.unencryptedObjectKeys ? CipherSuite.Null : undefined,
      });
      const text = serializeAccess(grant);
      if (opts.importAs !== undefined) saveNamedAccess(cmd, opts.importAs, text, opts);
      else process.stdout.write(`${text}\n`);
    }),
  );
}

async function readPassphrase(opts: CreateOptions): Promise<string> {
  if (opts.passphrase !== undefined) return opts.passphrase;
  if (!opts.passphraseStdin && process.stdin.isTTY) return promptSecret('Passphrase:');
  return readStdinText();
}
