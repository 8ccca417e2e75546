/**
 * Asking the user for a value on the terminal: a line (satellite address, API key) or a secret without echo
 * (the passphrase). Prompts go to stderr so stdout stays clean for what the command prints.
 */
import { createInterface } from 'node:readline';
import { CliError } from './errors.js';

/** Asks for a line on the terminal; without one, `flag` (the way to give the value instead) is required. */
export async function promptLine(question: string, flag: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError(`${flag} is required (no terminal to ask on)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<string>((resolve) => rl.question(`${question} `, (answer) => resolve(answer.trim())));
  } finally {
    rl.close();
  }
}

/** Reads a secret from the terminal with echo off; Ctrl-C aborts the command. */
export function promptSecret(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new CliError('cannot prompt for a secret: standard input is not a terminal');
  process.stderr.write(`${question} `);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise<string>((resolve, reject) => {
    let secret = '';
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(secret);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CliError('interrupted'));
        if (ch === '\u007f' || ch === '\b') secret = [...secret].slice(0, -1).join('');
        else if (ch >= ' ') secret += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** All of standard input as text (a passphrase piped in), without the trailing newline. */
export async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/[\r\n]+$/, '');
}
