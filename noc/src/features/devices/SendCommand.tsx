import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { api, unwrap } from '../../api/client';
import type { CommandType, CreateDeviceCommand, DeviceDetail } from './types';
import { COMMAND_TEXT } from './labels';
import { DEVICES_KEY } from './queries';

const ORDER: readonly CommandType[] = [
  'lock',
  'reboot',
  'locate',
  'rotate_certificate',
  'reattest',
  'update_os',
  'install_app',
  'uninstall_app',
  'relinquish',
  'wipe',
];

/** Commands that cannot be undone: the operator types the handset's serial (or IMEI) to confirm. */
const DESTRUCTIVE: ReadonlySet<CommandType> = new Set(['wipe', 'relinquish']);

/** What the operator must type to confirm a destructive command: the serial, else the IMEI, else the id. */
export function strongConfirmation(device: DeviceDetail): { label: string; value: string } {
  if (device.serial) return { label: 'serial number', value: device.serial };
  if (device.imei) return { label: 'IMEI', value: device.imei };
  return { label: 'device id', value: device.id };
}

type Draft = { type: CommandType; pkg: string; version: string };
const EMPTY: Draft = { type: 'lock', pkg: '', version: '' };

function commandBody(draft: Draft): CreateDeviceCommand {
  if (draft.type === 'install_app' || draft.type === 'uninstall_app')
    return { type: draft.type, params: { package: draft.pkg.trim() } };
  if (draft.type === 'update_os' && draft.version.trim())
    return { type: draft.type, params: { version: draft.version.trim() } };
  return { type: draft.type };
}

/**
 * Choose a command, then confirm it: a second explicit click, and for a wipe or relinquish the handset's
 * serial typed out. One idempotency key per confirmation, so a retried click queues it once.
 */
export function SendCommand({ device }: { device: DeviceDetail }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [confirming, setConfirming] = useState<{ body: CreateDeviceCommand; key: string } | null>(null);
  const [typed, setTyped] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const confirmRef = useRef<HTMLDivElement>(null);
  const send = useApiMutation({
    run: (v: { body: CreateDeviceCommand; key: string }) =>
      unwrap(
        api.POST('/api/v1/devices/{id}/commands', {
          params: { path: { id: device.id } },
          body: { ...v.body, idempotencyKey: v.key },
        }),
      ),
    invalidates: [DEVICES_KEY],
    onSuccess: (command) => {
      setConfirming(null);
      setDraft(EMPTY);
      setSent(
        `${COMMAND_TEXT[command.type] ?? command.type}: queued. The handset gets it at its next check-in.`,
      );
    },
  });
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const strong = strongConfirmation(device);
  const destructive = confirming ? DESTRUCTIVE.has(confirming.body.type) : false;
  const confirmed = !destructive || typed.trim() === strong.value;
  const needsPackage = draft.type === 'install_app' || draft.type === 'uninstall_app';

  const review = (event: FormEvent): void => {
    event.preventDefault();
    send.reset();
    setSent(null);
    setTyped('');
    setConfirming({ body: commandBody(draft), key: crypto.randomUUID() });
  };

  return (
    <div className="card form-card">
      <h3 className="card-title">Send a command</h3>
      {!confirming ? (
        <form className="filters" aria-label="Send a command" onSubmit={review}>
          <Field id="command-type" label="Command" inline>
            <select
              id="command-type"
              value={draft.type}
              onChange={(e) => setDraft({ ...EMPTY, type: e.target.value as CommandType })}
            >
              {ORDER.map((t) => (
                <option key={t} value={t}>
                  {COMMAND_TEXT[t]}
                </option>
              ))}
            </select>
          </Field>
          {needsPackage ? (
            <Field id="command-package" label="App package" inline>
              <input
                id="command-package"
                required
                pattern="[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+"
                title="an Android package name, e.g. org.pakawaaz.chat"
                spellCheck={false}
                autoComplete="off"
                value={draft.pkg}
                onChange={(e) => setDraft({ ...draft, pkg: e.target.value })}
              />
            </Field>
          ) : null}
          {draft.type === 'update_os' ? (
            <Field id="command-version" label="OS version" optional inline>
              <input
                id="command-version"
                pattern="[A-Za-z0-9._\-]+"
                spellCheck={false}
                autoComplete="off"
                value={draft.version}
                onChange={(e) => setDraft({ ...draft, version: e.target.value })}
              />
            </Field>
          ) : null}
          <button type="submit" className="button button-secondary">
            Review…
          </button>
          <div role="status" aria-live="polite">
            {sent ? <p className="success-text">{sent}</p> : null}
          </div>
        </form>
      ) : (
        <div
          ref={confirmRef}
          tabIndex={-1}
          className="confirm"
          role="group"
          aria-label={`Confirm: ${COMMAND_TEXT[confirming.body.type]}`}
        >
          <p className="confirm-question">
            {destructive ? (
              <strong>
                {confirming.body.type === 'wipe'
                  ? 'Wipe this handset? Everything on it is erased and it leaves management; this cannot be undone.'
                  : 'Relinquish this handset? It leaves management and its certificate is revoked; this cannot be undone.'}
              </strong>
            ) : (
              <>
                Send “{COMMAND_TEXT[confirming.body.type]}” to this handset? It is queued and delivered at the
                next check-in.
              </>
            )}
          </p>
          {destructive ? (
            <Field
              id="command-confirm"
              label={
                <>
                  Type the handset&apos;s {strong.label} <code>{strong.value}</code> to confirm
                </>
              }
            >
              <input
                id="command-confirm"
                autoComplete="off"
                spellCheck={false}
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
              />
            </Field>
          ) : null}
          <div className="confirm-actions">
            <button
              type="button"
              className={`button ${destructive ? 'button-danger' : 'button-primary'}`}
              disabled={!confirmed || send.pending}
              aria-busy={send.pending}
              onClick={() => send.start(confirming)}
            >
              {send.pending ? 'Sending…' : `Send: ${COMMAND_TEXT[confirming.body.type]}`}
            </button>
            <button
              type="button"
              className="button button-secondary"
              disabled={send.pending}
              onClick={() => setConfirming(null)}
            >
              Cancel
            </button>
          </div>
          {send.error ? <ErrorNotice error={send.error} title="The command was not sent" /> : null}
        </div>
      )}
    </div>
  );
}
