import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeIdString } from '@dcsim/common/nodeid';
import { integer, objectId, octetString, sequence, time } from '../src/der.js';
import { generateIdentity, issueCertificate, issueTlsChain, PeerChainError, verifyPeerChain, type Identity } from '../src/index.js';

/** The DER certificates of a PEM chain, in order. */
function ders(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----\n([^-]+)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1], 'base64'));
}

function caOf(identity: Identity): Buffer {
  const name = nodeIdString(identity.id);
  return issueCertificate({
    subjectKey: createPublicKey(identity.privateKey),
    issuer: name,
    subject: name,
    isCA: true,
    signer: identity.privateKey,
  });
}

function leafSignedBy(signer: Identity, named = signer): Buffer {
  const name = nodeIdString(named.id);
  return issueCertificate({
    subjectKey: generateKeyPairSync('ed25519').publicKey,
    issuer: name,
    subject: name,
    isCA: false,
    signer: signer.privateKey,
  });
}

const refusal = (leaf: Uint8Array | undefined, ca: Uint8Array | undefined) => {
  try {
    verifyPeerChain(leaf, ca);
  } catch (err) {
    expect(err).toBeInstanceOf(PeerChainError);
    return (err as Error).message;
  }
  throw new Error('the chain was accepted');
};

describe('identity certificates', () => {
  it('issues a [leaf, CA] chain that proves the identity node ID, with a fresh leaf key each time', () => {
    const identity = generateIdentity();
    const chain = issueTlsChain(identity);
    const [leaf, ca] = ders(chain.cert);
    expect(nodeIdString(verifyPeerChain(leaf, ca))).toBe(nodeIdString(identity.id));
    expect(chain.id).toEqual(identity.id);

    // What OpenSSL reads from them: X.509 v3, CN = node ID, the CA flag, the key of each.
    const leafCert = new X509Certificate(leaf);
    const caCert = new X509Certificate(ca);
    expect(caCert.subject).toBe(`CN=${nodeIdString(identity.id)}`);
    expect(leafCert.issuer).toBe(caCert.subject);
    expect([caCert.ca, leafCert.ca]).toEqual([true, false]);
    expect(Buffer.from(caCert.publicKey.export({ format: 'der', type: 'spki' })).subarray(12)).toEqual(Buffer.from(identity.publicKey));
    expect(leafCert.checkPrivateKey(createPrivateKey(chain.key))).toBe(true);
    expect(new Date(caCert.validTo).getUTCFullYear()).toBe(9999);

    const second = issueTlsChain(identity);
    expect(second.key).not.toBe(chain.key);
    expect(nodeIdString(verifyPeerChain(...(ders(second.cert) as [Buffer, Buffer])))).toBe(nodeIdString(identity.id));
  });

  it('refuses a certificate whose signature was tampered with', () => {
    const identity = generateIdentity();
    const [leaf, ca] = ders(issueTlsChain(identity).cert);
    const badLeaf = Buffer.from(leaf);
    badLeaf[badLeaf.length - 1] ^= 1; // the last byte of the Ed25519 signature
    expect(refusal(badLeaf, ca)).toMatch(/leaf certificate of the peer is not signed by its CA/);
    const badCa = Buffer.from(ca);
    badCa[badCa.length - 1] ^= 1;
    expect(refusal(leaf, badCa)).toMatch(/CA certificate of the peer is not self-signed/);
  });

  it('refuses a leaf that another CA signed: nobody can borrow a node ID', () => {
    const victim = generateIdentity();
    const attacker = generateIdentity();
    // The attacker's leaf names the victim as its issuer and travels with the victim's real CA certificate.
    expect(refusal(leafSignedBy(attacker, victim), caOf(victim))).toMatch(/not signed by its CA/);
    // With the attacker's own CA the chain is valid, and proves the attacker's ID, not the victim's.
    expect(nodeIdString(verifyPeerChain(leafSignedBy(attacker, victim), caOf(attacker)))).toBe(nodeIdString(attacker.id));
  });

  it('refuses a chain of one certificate', () => {
    const identity = generateIdentity();
    const [leaf, ca] = ders(issueTlsChain(identity).cert);
    expect(refusal(leaf, undefined)).toMatch(/no certificate chain/);
    expect(refusal(leaf, leaf)).toMatch(/chain of one certificate/);
    expect(refusal(ca, ca)).toMatch(/chain of one certificate/);
    // A CA certificate that is not marked as a CA.
    expect(refusal(leaf, leafSignedBy(identity))).toMatch(/not a CA/);
  });

  it('refuses garbage and non-Ed25519 CA keys', () => {
    const [leaf, ca] = ders(issueTlsChain(generateIdentity()).cert);
    expect(refusal(Buffer.from('not a certificate'), ca)).toMatch(/leaf certificate of the peer does not parse/);
    expect(refusal(leaf, sequence(objectId('1.2.3')))).toMatch(/CA certificate of the peer does not parse/);
    expect(refusal(leaf, ca.subarray(0, ca.length - 10))).toMatch(/does not parse/);
  });
});

describe('DER values', () => {
  it('encodes lengths, integers, object identifiers and times as X.509 needs them', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(hex(octetString(Buffer.alloc(3)))).toBe('0403000000');
    expect(hex(octetString(Buffer.alloc(200))).slice(0, 6)).toBe('0481c8');
    expect(hex(octetString(Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
    expect(hex(integer(Buffer.from([2])))).toBe('020102');
    expect(hex(integer(Buffer.from([0, 0, 0x80])))).toBe('02020080'); // positive: one 0x00 kept before a high bit
    expect(hex(integer(Buffer.from([0xff])))).toBe('020200ff');
    expect(hex(objectId('1.3.101.112'))).toBe('06032b6570');
    expect(hex(objectId('2.5.29.19'))).toBe('0603551d13');
    expect(hex(objectId('1.2.840.113549'))).toBe('06062a864886f70d');
    expect(Buffer.from(time(new Date(Date.UTC(2049, 0, 2, 3, 4, 5)))).toString('latin1')).toBe('\x17\x0d490102030405Z');
    expect(Buffer.from(time(new Date(Date.UTC(2050, 0, 2, 3, 4, 5)))).toString('latin1')).toBe('\x18\x0f20500102030405Z');
  });
});
