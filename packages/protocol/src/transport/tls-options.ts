/**
 * The TLS every dcsim connection speaks: TLS 1.3 only, with one cipher suite, AES-128-GCM. With AES-NI it
 * is the fastest suite OpenSSL offers on the machines we measured (`openssl speed`, 16 KiB records:
 * AES-128-GCM ~4.6 GB/s, AES-256-GCM and ChaCha20-Poly1305 ~4.4 GB/s), and a storage node decrypts every
 * byte it stores. HTTP/2 is negotiated by ALPN, as gRPC requires.
 */
export const TLS_VERSION = 'TLSv1.3';
export const TLS_CIPHERS = 'TLS_AES_128_GCM_SHA256';
export const ALPN = ['h2'];
