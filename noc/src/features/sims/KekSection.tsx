import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Permitted } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useApiMutation } from '../../data/hooks';
import { formatCount } from '../../format';

/**
 * Rotate the key-encryption key (security-officer), behind a confirm step: every data key is re-wrapped
 * under a new KEK and the old one is dropped; the SIM ciphertexts themselves do not change.
 */
export function KekSection() {
  return (
    <section className="card kek-card" aria-labelledby="kek-heading">
      <h2 id="kek-heading">Key-encryption key</h2>
      <p className="card-lead">
        Every SIM&rsquo;s K and OPc are encrypted at rest under data keys, and the data keys are wrapped by
        the key-encryption key (KEK) in the server&rsquo;s key file. Rotating the KEK creates a new one,
        re-wraps every data key under it in one transaction and then drops the old KEK; the SIM ciphertexts
        are not touched. The rotation is recorded in the audit log.
      </p>
      <Permitted operation="POST /api/v1/sims/kek/rotate" explain="Rotating the KEK">
        <KekRotation />
      </Permitted>
    </section>
  );
}

function KekRotation() {
  const [confirming, setConfirming] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const rotate = useApiMutation({
    run: () => unwrap(api.POST('/api/v1/sims/kek/rotate')),
    onSuccess: () => setConfirming(false),
  });
  const rotation = rotate.result;

  // The safe choice gets the focus when the confirm step opens.
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);

  return (
    <>
      {confirming ? (
        <div className="inline-form" role="group" aria-labelledby="kek-confirm-text">
          <p id="kek-confirm-text" className="card-lead">
            <strong>Rotate the KEK now?</strong> Back up the key file again afterwards: database backups taken
            before the rotation can only be read with the old key file.
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button button-primary"
              onClick={() => rotate.start(undefined)}
              disabled={rotate.pending}
              aria-busy={rotate.pending}
            >
              {rotate.pending ? 'Rotating…' : 'Confirm rotation'}
            </button>
            <button
              ref={cancelRef}
              type="button"
              className="button button-secondary"
              onClick={() => {
                setConfirming(false);
                rotate.reset();
              }}
              disabled={rotate.pending}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="card-actions">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setConfirming(true);
              rotate.reset();
            }}
            aria-expanded={false}
          >
            Rotate KEK
          </button>
        </div>
      )}
      <div role="status" aria-live="polite">
        {rotation ? (
          <p className="success-text">
            Active KEK <code>{rotation.kekId}</code>; re-wrapped {formatCount(rotation.rewrapped)}{' '}
            {rotation.rewrapped === 1 ? 'data key' : 'data keys'}.
          </p>
        ) : null}
      </div>
      {rotate.error ? <ErrorNotice error={rotate.error} title="The KEK was not rotated" /> : null}
    </>
  );
}
