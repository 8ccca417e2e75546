/** Short hex for logs: enough to tell two values apart, without dumping whole blobs. */
export function shortHex(bytes: Uint8Array, max = 8): string {
  const hex = Buffer.from(bytes).toString('hex');
  return hex.length > max * 2 ? `${hex.slice(0, max * 2)}…(${bytes.length} bytes)` : hex;
}
