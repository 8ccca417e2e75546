/**
 * The certificates a process shows in TLS, as Storj's (storj.io/common peertls, identity): its identity key
 * is a certificate authority (CA), and the node ID is the hash of the CA's public key. At each start the
 * process makes a fresh leaf key and has the CA sign a certificate for it; TLS presents the chain
 * [leaf, CA] and proves possession of the leaf key. A peer checks the chain and hashes the CA key (chain.ts).
 *
 * Node can verify X.509 but not issue it, so certificates are written here from a fixed template: X.509 v3,
 * Ed25519 throughout, a random serial, CN = the node ID, and the two extensions that say what a key may do
 * (basicConstraints: CA or not; keyUsage: sign certificates, or sign TLS handshakes). No expiry: peers are
 * pinned by node ID, not by a validity window, as in Storj.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { nodeIdString } from '@dcsim/common/nodeid';
import { bitString, boolean, explicit, integer, objectId, octetString, sequence, set, time, utf8String } from './der.js';
import type { Identity } from './identity.js';

const ED25519 = sequence(objectId('1.3.101.112')); // AlgorithmIdentifier, no parameters (RFC 8410)
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
// keyUsage bits, numbered from the most significant bit of the first byte: digitalSignature is bit 0, keyCertSign bit 5.
const DIGITAL_SIGNATURE = { byte: 0x80, unusedBits: 7 };
const KEY_CERT_SIGN = { byte: 0x04, unusedBits: 2 };
/** RFC 5280 4.1.2.5: "no well-defined expiration date". */
const NO_EXPIRY = new Date(Date.UTC(9999, 11, 31, 23, 59, 59));
/** notBefore lies this far back, so a peer whose clock is a little behind accepts the certificate. */
const CLOCK_SKEW_MS = 60 * 60 * 1000;

/** What TLS needs to present an identity: the leaf's private key and the chain, both PEM. */
export interface TlsChain {
  /** The node ID the chain proves (of the CA key). */
  readonly id: Uint8Array;
  /** PKCS#8 PEM of the leaf key, made fresh for this chain. */
  readonly key: string;
  /** PEM of the leaf certificate, then the CA certificate. */
  readonly cert: string;
}

/** A fresh leaf key and its certificate, signed by the identity's key, with the identity's CA certificate. */
export function issueTlsChain(identity: Identity): TlsChain {
  const leaf = generateKeyPairSync('ed25519');
  const name = nodeIdString(identity.id);
  const ca = issueCertificate({
    subjectKey: createPublicKey(identity.privateKey),
    issuer: name,
    subject: name,
    isCA: true,
    signer: identity.privateKey,
  });
  const leafCert = issueCertificate({ subjectKey: leaf.publicKey, issuer: name, subject: name, isCA: false, signer: identity.privateKey });
  return {
    id: identity.id,
    key: leaf.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    cert: toPem(leafCert) + toPem(ca),
  };
}

export interface CertificateFields {
  /** The public key the certificate is for. */
  subjectKey: KeyObject;
  /** Common names of the issuer and the subject (for a self-signed certificate, the same). */
  issuer: string;
  subject: string;
  /** A CA certificate may sign certificates; a leaf may sign TLS handshakes. */
  isCA: boolean;
  /** The issuer's Ed25519 private key. */
  signer: KeyObject;
  notBefore?: Date;
}

/** DER of an X.509 v3 certificate (RFC 5280 4.1) signed with Ed25519. */
export function issueCertificate(f: CertificateFields): Buffer {
  const usage = f.isCA ? KEY_CERT_SIGN : DIGITAL_SIGNATURE;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // version 3
    integer(randomBytes(16)), // serial number
    ED25519,
    commonName(f.issuer),
    sequence(time(f.notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS)), time(NO_EXPIRY)),
    commonName(f.subject),
    f.subjectKey.export({ format: 'der', type: 'spki' }),
    explicit(
      3,
      sequence(
        extension(BASIC_CONSTRAINTS, f.isCA ? sequence(boolean(true)) : sequence()),
        extension(KEY_USAGE, bitString(Buffer.from([usage.byte]), usage.unusedBits)),
      ),
    ),
  );
  return sequence(tbs, ED25519, bitString(sign(null, tbs, f.signer)));
}

/** A Name holding just a common name. */
function commonName(cn: string): Buffer {
  return sequence(set(sequence(objectId(COMMON_NAME), utf8String(cn))));
}

/** A critical extension: a peer that does not understand it must refuse the certificate. */
function extension(oid: string, extnValue: Buffer): Buffer {
  return sequence(objectId(oid), boolean(true), octetString(extnValue));
}

function toPem(der: Uint8Array): string {
  const lines = Buffer.from(der)
    .toString('base64')
    .match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
