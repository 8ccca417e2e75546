/**
 * The plaintext baseline of `npm run bench -- network`: with DCSIM_PLAINTEXT_BASELINE=1 in its environment, a
 * process's transport is gRPC without TLS, as dcsim was before it had TLS, so the bench can measure what TLS
 * costs in the same run. Nothing else sets it (the testnet CLI has no flag for it), it turns off every identity
 * check of the transport, and a process using it says so in its log. Never use it outside a benchmark.
 */
export const PLAINTEXT_BASELINE_ENV = 'DCSIM_PLAINTEXT_BASELINE';

export function plaintextBaseline(): boolean {
  return process.env[PLAINTEXT_BASELINE_ENV] === '1';
}
