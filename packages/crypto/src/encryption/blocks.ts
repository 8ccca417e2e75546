/**
 * Sealing and opening block b of a segment: the nonce is the segment's starting nonce + b, kept in a reused
 * scratch buffer. AES-GCM nonces are the first 12 bytes of the starting nonce, incremented within those 12
 * (Storj's calcGCMNonce); secretbox increments all 24 (calcNonce).
 */
import { openAESGCM, sealAESGCM } from './aesgcm.js';
import { AESGCM_NONCE_SIZE, CipherSuite, NONCE_SIZE, cipherSuiteName } from './cipher.js';
import { CryptoError } from '../errors.js';
import { DecryptionError } from './errors.js';
import { addToNonce } from './nonce.js';
import { decryptSecretbox, encryptSecretbox } from './secretbox.js';

export class BlockCipher {
  private readonly nonce: Uint8Array;

  constructor(
    private readonly suite: CipherSuite,
    private readonly key: Uint8Array,
    private readonly start: Uint8Array,
  ) {
    if (suite !== CipherSuite.AESGCM && suite !== CipherSuite.Secretbox)
      throw new CryptoError(`${cipherSuiteName(suite)} has no blocks to seal`);
    if (start.length !== NONCE_SIZE) throw new CryptoError(`starting nonce is ${start.length} bytes, want ${NONCE_SIZE}`);
    this.nonce = new Uint8Array(suite === CipherSuite.AESGCM ? AESGCM_NONCE_SIZE : NONCE_SIZE);
  }

  /** Writes plain.length + 16 bytes into `out`. */
  seal(block: number, plain: Uint8Array, out: Uint8Array): void {
    const nonce = addToNonce(this.start, block, this.nonce);
    if (this.suite === CipherSuite.AESGCM) sealAESGCM(plain, this.key, nonce, out);
    else out.set(encryptSecretbox(plain, this.key, nonce));
  }

  /** Writes sealed.length − 16 bytes into `out`, or throws a DecryptionError naming the block. */
  open(block: number, sealed: Uint8Array, out: Uint8Array): void {
    const nonce = addToNonce(this.start, block, this.nonce);
    if (this.suite === CipherSuite.AESGCM) {
      if (openAESGCM(sealed, this.key, nonce, out)) return;
    } else {
      try {
        out.set(decryptSecretbox(sealed, this.key, nonce));
        return;
      } catch {
        // reported below, with the block number
      }
    }
    throw new DecryptionError(`content block ${block} failed authentication: wrong key or corrupted data`);
  }
}
