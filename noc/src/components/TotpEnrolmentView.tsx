import { useId, useMemo } from 'react';
import type { Schemas } from '../api/client';
import { groupSecret } from '../identity';
import { base64Utf8 } from './clipboard';

type TotpEnrolment = Schemas['TotpEnrolment'];

/**
 * The QR code of a new authenticator (an SVG from the server, shown as a data: image, which the CSP allows)
 * and its secret for typing in by hand. Both are shown only while the enrolment is open.
 */
export function TotpEnrolmentView({ enrolment, account }: { enrolment: TotpEnrolment; account: string }) {
  const secretLabelId = useId();
  const src = useMemo(() => `data:image/svg+xml;base64,${base64Utf8(enrolment.qrSvg)}`, [enrolment.qrSvg]);
  return (
    <div className="totp-enrolment">
      <img
        className="totp-qr"
        src={src}
        width={184}
        height={184}
        alt={`QR code that adds ${account} to an authenticator app`}
      />
      <div>
        <p className="card-lead">
          Scan the code with an authenticator app (FreeOTP, Aegis, Google or Microsoft Authenticator), or type
          the secret key into it.
        </p>
        <dl className="facts">
          <dt id={secretLabelId}>Secret key</dt>
          <dd>
            <code className="totp-secret" aria-labelledby={secretLabelId}>
              {groupSecret(enrolment.secret)}
            </code>
          </dd>
          <dt>Account</dt>
          <dd>{account}</dd>
          <dt>Type</dt>
          <dd>time-based (TOTP), 6 digits every 30 s, SHA-1</dd>
        </dl>
      </div>
    </div>
  );
}
