/**
 * Per-cluster PKI, made synchronously (the CloudFormation engine finishes a cluster inside a sync step):
 * an EC P-256 CA named like the one EKS makes ("kubernetes"), and a serving certificate for the loopback
 * endpoint signed by it. DescribeCluster returns the CA as certificateAuthority.data, so a client that
 * trusts exactly that CA (kubectl, @kubernetes/client-node) gets a verified TLS connection — and a client
 * given another cluster's CA fails as it would against EKS.
 *
 * Keys come from node:crypto; the certificates are DER built with @peculiar/asn1-x509 and signed with
 * crypto.sign (ECDSA-with-SHA256, DER signature as X.509 wants it).
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_serverAuth,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const DAY = 86_400_000;

export interface ClusterPki {
  /** PEM of the CA certificate (what EKS returns base64-encoded as certificateAuthority.data). */
  caCertPem: string;
  caKeyPem: string;
  /** Serving certificate for 127.0.0.1 / localhost, signed by the CA. */
  serverCertPem: string;
  serverKeyPem: string;
}

function name(cn: string): Name {
  return new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ printableString: cn }) }),
    ]),
  ]);
}

function spkiOf(key: KeyObject): SubjectPublicKeyInfo {
  return AsnConvert.parse(key.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
}

function keyId(spki: SubjectPublicKeyInfo): Buffer {
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
}

function ext(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/**
 * A random 16-byte serial whose DER INTEGER is minimal and positive: the top bit clear (positive) and the
 * first byte non-zero (a leading 0x00 before a byte < 0x80 is illegal padding, which OpenSSL refuses
 * with ERR_OSSL_ASN1_ILLEGAL_PADDING — once in 512 certificates when only the top bit was cleared).
 */
export function serial(): ArrayBuffer {
  const b = randomBytes(16);
  b[0] = 0x40 | (b[0]! & 0x3f);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
}

function toPem(der: ArrayBuffer | Buffer, label: string): string {
  const b64 = Buffer.from(der as ArrayBuffer)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function issue(opts: {
  subject: Name;
  issuer: Name;
  subjectKey: KeyObject;
  issuerKey: KeyObject;
  issuerSpki: SubjectPublicKeyInfo;
  notBefore: Date;
  notAfter: Date;
  extensions: Extension[];
}): string {
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial(),
    signature: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    issuer: opts.issuer,
    validity: new Validity({ notBefore: opts.notBefore, notAfter: opts.notAfter }),
    subject: opts.subject,
    subjectPublicKeyInfo: spkiOf(opts.subjectKey),
    extensions: new Extensions([
      ...opts.extensions,
      ext(
        id_ce_authorityKeyIdentifier,
        false,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId(opts.issuerSpki)) }),
      ),
    ]),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, opts.issuerKey);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    signatureValue: signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.length),
  });
  return toPem(AsnConvert.serialize(cert), 'CERTIFICATE');
}

/** A CA valid for ten years (as EKS's) and a serving certificate for the loopback endpoint. */
export function makeClusterPki(now: Date): ClusterPki {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caName = name('kubernetes');
  const caSpki = spkiOf(ca.publicKey);
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const caCertPem = issue({
    subject: caName,
    issuer: caName,
    subjectKey: ca.publicKey,
    issuerKey: ca.privateKey,
    issuerSpki: caSpki,
    notBefore,
    notAfter: new Date(now.getTime() + 3650 * DAY),
    extensions: [
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
      ext(
        id_ce_keyUsage,
        true,
        new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature),
      ),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(caSpki))),
    ],
  });
  const serverCertPem = issue({
    subject: name('kube-apiserver'),
    issuer: caName,
    subjectKey: server.publicKey,
    issuerKey: ca.privateKey,
    issuerSpki: caSpki,
    notBefore,
    notAfter: new Date(now.getTime() + 365 * DAY),
    extensions: [
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment)),
      ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])),
      ext(
        id_ce_subjectAltName,
        false,
        new SubjectAlternativeName([
          new GeneralName({ dNSName: 'localhost' }),
          new GeneralName({ dNSName: 'kubernetes' }),
          new GeneralName({ dNSName: 'kubernetes.default.svc' }),
          new GeneralName({ iPAddress: '127.0.0.1' }),
        ]),
      ),
    ],
  });
  return {
    caCertPem,
    caKeyPem: ca.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    serverCertPem,
    serverKeyPem: server.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** Checks a PEM private key parses (used when a world file brings its own PKI). */
export function isPrivateKeyPem(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}
