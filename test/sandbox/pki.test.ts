/**
 * The sandbox's per-cluster certificates must parse in OpenSSL every time: a serial with a leading zero
 * byte is non-minimal DER, which OpenSSL refuses (ERR_OSSL_ASN1_ILLEGAL_PADDING), once in 512 certificates
 * when only the sign bit was cleared.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeClusterPki, serial } from '../../local/sandbox/kubernetes/pki.js';

describe('cluster PKI', () => {
  it('serials are positive, minimal DER INTEGERs (first byte 0x40–0x7f)', () => {
    for (let i = 0; i < 20_000; i++) {
      const first = new Uint8Array(serial())[0]!;
      expect(first >= 0x40 && first <= 0x7f, `first serial byte 0x${first.toString(16)}`).toBe(true);
    }
  });

  it('every certificate parses in OpenSSL and the serving certificate is signed by the cluster CA', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    for (let i = 0; i < 200; i++) {
      const pki = makeClusterPki(now);
      const ca = new X509Certificate(pki.caCertPem);
      const server = new X509Certificate(pki.serverCertPem);
      expect(ca.ca).toBe(true);
      expect(server.checkIssued(ca)).toBe(true);
      expect(server.verify(ca.publicKey)).toBe(true);
      expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(server.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
    }
  });
});
