import 'reflect-metadata';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { SubjectAlternativeNameExtension, X509Certificate } from '@peculiar/x509';

/*
 * Renewal tracking of the NFs' TLS certificates (`pakawaaz open5gs tls-check DIR`): a TLS folder as
 * `open5gs certs` writes it — ca.crt, <nf>.crt, <nf>.key — read back and judged the way a peer would judge
 * each certificate at `now`: issued by the folder's CA (its signature verifies under ca.crt's key), within its
 * validity, and with its private key beside it. An NF whose certificate expires stops talking TLS to its
 * peers (SBI, Diameter) with no other warning; this is the warning, early enough to re-issue. Pure: the
 * caller reads the files.
 */

export type TlsCertificateStatus =
  | 'ok'
  /** Valid now, but expires within the warning window. */
  | 'expiring'
  | 'expired'
  | 'not_yet_valid'
  /** Its signature does not verify under ca.crt's key: another CA issued it (a stale copy, a mix-up). */
  | 'not_issued_by_ca'
  /** `<nf>.key` beside it holds another key pair: the NF could not complete a handshake. */
  | 'key_mismatch'
  | 'unreadable';

export type TlsCertificateReport = {
  file: string;
  subject: string | null;
  names: string[];
  notAfter: string | null;
  daysLeft: number | null;
  status: TlsCertificateStatus;
  detail: string | null;
};

export type TlsFolderReport = {
  ca: TlsCertificateReport;
  certificates: TlsCertificateReport[];
  /** Every certificate (the CA's too) is `ok`. */
  ok: boolean;
};

/** A text file of the folder: its name and content (the caller caps sizes and counts). */
export type TlsFolderFile = { name: string; content: string };

const DAY = 86_400_000;
const unreadable = (file: string, detail: string): TlsCertificateReport => ({
  file,
  subject: null,
  names: [],
  notAfter: null,
  daysLeft: null,
  status: 'unreadable',
  detail,
});

function parse(file: TlsFolderFile): X509Certificate | TlsCertificateReport {
  try {
    return new X509Certificate(file.content);
  } catch (err) {
    return unreadable(file.name, `not a PEM certificate (${(err as Error).message})`);
  }
}

function validity(cert: X509Certificate, now: Date, withinDays: number) {
  const daysLeft = Math.floor((cert.notAfter.getTime() - now.getTime()) / DAY);
  if (now < cert.notBefore) return { daysLeft, status: 'not_yet_valid' as const };
  if (now > cert.notAfter) return { daysLeft, status: 'expired' as const };
  if (daysLeft < withinDays) return { daysLeft, status: 'expiring' as const };
  return { daysLeft, status: 'ok' as const };
}

function namesOf(cert: X509Certificate): string[] {
  const san = cert.getExtension(SubjectAlternativeNameExtension);
  return san ? san.names.items.map((n) => n.value) : [];
}

/** The same key pair: the certificate's SPKI equals the public half of the PEM private key. */
function sameKey(cert: X509Certificate, keyPem: string): boolean {
  const spki = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return Buffer.compare(Buffer.from(cert.publicKey.rawData), spki) === 0;
}

/**
 * Judges a TLS folder at `now`, warning `withinDays` before an expiry. Throws only when `ca.crt` is absent
 * (there is then nothing to judge against); every other problem is a status.
 */
export async function checkTlsFolder(
  files: readonly TlsFolderFile[],
  now: Date,
  withinDays: number,
): Promise<TlsFolderReport> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const caFile = byName.get('ca.crt');
  if (!caFile) throw new Error('no ca.crt in the folder: is it a folder `pakawaaz open5gs certs` wrote?');
  const caParsed = parse(caFile);
  const ca: TlsCertificateReport =
    caParsed instanceof X509Certificate
      ? {
          file: 'ca.crt',
          subject: caParsed.subject,
          names: [],
          notAfter: caParsed.notAfter.toISOString(),
          ...validity(caParsed, now, withinDays),
          detail: null,
        }
      : caParsed;
  const certificates: TlsCertificateReport[] = [];
  for (const f of files) {
    if (!f.name.endsWith('.crt') || f.name === 'ca.crt') continue;
    const cert = parse(f);
    if (!(cert instanceof X509Certificate)) {
      certificates.push(cert);
      continue;
    }
    const base = {
      file: f.name,
      subject: cert.subject,
      names: namesOf(cert),
      notAfter: cert.notAfter.toISOString(),
    };
    const issued =
      caParsed instanceof X509Certificate &&
      cert.issuer === caParsed.subject &&
      (await cert.verify({ publicKey: caParsed.publicKey, signatureOnly: true }).catch(() => false));
    if (!issued) {
      certificates.push({
        ...base,
        daysLeft: null,
        status: 'not_issued_by_ca',
        detail: `issued by ${cert.issuer}, not by ca.crt (${ca.subject ?? 'unreadable'})`,
      });
      continue;
    }
    const key = byName.get(f.name.replace(/\.crt$/, '.key'));
    let matches = true;
    try {
      matches = key === undefined || sameKey(cert, key.content);
    } catch {
      matches = false;
    }
    if (!matches) {
      certificates.push({
        ...base,
        daysLeft: null,
        status: 'key_mismatch',
        detail: `${f.name.replace(/\.crt$/, '.key')} is not this certificate's key (or not a PEM key)`,
      });
      continue;
    }
    const v = validity(cert, now, withinDays);
    certificates.push({
      ...base,
      ...v,
      detail:
        v.status === 'ok'
          ? null
          : v.status === 'expiring'
            ? `expires in ${v.daysLeft} day(s): re-issue with \`pakawaaz open5gs certs\``
            : v.status === 'expired'
              ? 'expired: its peers refuse it; re-issue with `pakawaaz open5gs certs`'
              : 'not valid yet: check the clocks of this host and the NF host',
    });
  }
  certificates.sort((a, b) => a.file.localeCompare(b.file));
  return { ca, certificates, ok: ca.status === 'ok' && certificates.every((c) => c.status === 'ok') };
}
