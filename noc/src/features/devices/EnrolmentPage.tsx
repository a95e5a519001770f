import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { PageHeader } from '../../components/PageHeader';
import { base64Utf8 } from '../../components/clipboard';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import { OfficialPicker, type PickedOfficial } from '../subscribers/OfficialPicker';
import { useDeviceAccess } from './access';
import { api, unwrap } from '../../api/client';
import type { CreatedEnrolmentToken } from './types';
import { TokenList } from './EnrolmentTokens';
import { InstitutionLabel, OfficialLabel } from './labels';
import { ENROLMENT_TOKENS_KEY } from './queries';

const DEFAULT_HOURS = 72;
const MAX_HOURS = 720;

type Draft = { official: PickedOfficial | null; imsi: string; hours: string };
const EMPTY: Draft = { official: null, imsi: '', hours: String(DEFAULT_HOURS) };

/**
 * Enrolment tokens: one per handset to issue, bound to an official (and optionally a SIM), shown once as a
 * QR code the handset's setup scans, and printable for the hand-over; the list shows which were used.
 */
export function EnrolmentPage() {
  const access = useDeviceAccess();
  const [created, setCreated] = useState<CreatedEnrolmentToken | null>(null);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/devices">← Devices</Link>
      </p>
      <PageHeader
        title="Enrolment tokens"
        subtitle={
          <>
            A handset is enrolled with a single-use token for its official: the setup scans the QR code, the
            hardware proves the handset genuine, and the server issues its device certificate.
          </>
        }
      />
      {created ? (
        <TokenCard token={created} onDone={() => setCreated(null)} />
      ) : access.manage ? (
        <CreateToken onCreated={setCreated} />
      ) : (
        <p className="muted permission-note">Creating enrolment tokens needs the device-admin role.</p>
      )}
      <TokenList canRevoke={access.manage} />
    </>
  );
}

function CreateToken({ onCreated }: { onCreated: (token: CreatedEnrolmentToken) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const create = useApiMutation({
    run: (d: Draft) =>
      unwrap(
        api.POST('/api/v1/enrolment-tokens', {
          body: {
            official: d.official?.id ?? '',
            ...(d.imsi.trim() ? { imsi: d.imsi.trim() } : {}),
            expiresInHours: Number(d.hours) || DEFAULT_HOURS,
          },
        }),
      ),
    invalidates: [ENROLMENT_TOKENS_KEY],
    onSuccess: (token) => {
      setDraft(EMPTY);
      onCreated(token);
    },
  });
  return (
    <section className="card form-card" aria-labelledby="create-token-heading">
      <h2 id="create-token-heading">New enrolment token</h2>
      <Form
        onSubmit={() => create.start(draft)}
        pending={create.pending}
        error={create.error}
        errorTitle="The token was not created"
        submitLabel="Create token"
        busyLabel="Creating…"
        disabled={draft.official === null}
        ariaLabel="New enrolment token"
      >
        <div className="form-grid">
          <Field id="token-official" label="Official" hint="Type part of the name or username.">
            <OfficialPicker
              id="token-official"
              value={draft.official}
              onChange={(official) => setDraft({ ...draft, official })}
              describedBy="token-official-hint"
            />
          </Field>
          <Field id="token-imsi" label="SIM (IMSI)" optional hint="Only a handset with this SIM may enrol.">
            <input
              id="token-imsi"
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              pattern="\d{15}"
              maxLength={15}
              title="15 digits"
              aria-describedby="token-imsi-hint"
              value={draft.imsi}
              onChange={(e) => setDraft({ ...draft, imsi: e.target.value })}
            />
          </Field>
          <Field id="token-hours" label="Valid for (hours)" hint={`1 to ${MAX_HOURS} hours.`}>
            <input
              id="token-hours"
              type="number"
              min={1}
              max={MAX_HOURS}
              step={1}
              required
              aria-describedby="token-hours-hint"
              value={draft.hours}
              onChange={(e) => setDraft({ ...draft, hours: e.target.value })}
            />
          </Field>
        </div>
      </Form>
    </section>
  );
}

/**
 * The token just made: its QR code (an SVG from the server, as a data: image like the TOTP enrolment's),
 * the enrol link and the token itself, shown only now. Printing shows this card alone.
 */
function TokenCard({ token, onDone }: { token: CreatedEnrolmentToken; onDone: () => void }) {
  const headingId = useId();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const src = useMemo(
    () => (token.qrSvg ? `data:image/svg+xml;base64,${base64Utf8(token.qrSvg)}` : null),
    [token.qrSvg],
  );
  const name = token.official.displayName ?? token.official.username ?? 'the official';
  return (
    <section
      ref={ref}
      tabIndex={-1}
      className="notice notice-warn one-time-secret enrolment-card print-only-card"
      aria-labelledby={headingId}
    >
      <strong className="notice-title" id={headingId}>
        Enrolment token for {name}
      </strong>
      <p className="notice-message no-print">
        Shown only now: scan it with the handset&apos;s setup, or print it for the hand-over. Anyone holding
        it can enrol a handset for {name} until it is used or expires.
      </p>
      <div className="totp-enrolment">
        {src ? (
          <img
            className="totp-qr enrolment-qr"
            src={src}
            width={220}
            height={220}
            alt={`QR code that enrols a handset for ${name}`}
          />
        ) : (
          <p className="muted">This server sent no QR code: enter the link below on the handset.</p>
        )}
        <div>
          <dl className="facts">
            <dt>Official</dt>
            <dd>
              <OfficialLabel official={token.official} />
            </dd>
            <dt>Institution</dt>
            <dd>
              <InstitutionLabel id={token.institutionId} name={token.institutionName} />
            </dd>
            {token.imsi ? (
              <>
                <dt>SIM</dt>
                <dd>
                  <code>{token.imsi}</code>
                </dd>
              </>
            ) : null}
            <dt>Expires</dt>
            <dd>{formatDateTime(token.expiresAt)}</dd>
            <dt>Enrol link</dt>
            <dd>
              <code className="break" aria-label="Enrol link">
                {token.enrolUrl}
              </code>
            </dd>
            <dt>Token</dt>
            <dd>
              <code className="totp-secret" aria-label="Enrolment token">
                {token.token}
              </code>
            </dd>
          </dl>
        </div>
      </div>
      <div className="form-actions no-print">
        <button type="button" className="button button-secondary" onClick={() => window.print()}>
          Print
        </button>
        <button type="button" className="button button-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
