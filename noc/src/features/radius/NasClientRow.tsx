import { useEffect, useRef, useState } from 'react';
import type { Schemas } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, Form } from '../../components/Form';
import { formatCount, formatDateTime } from '../../format';
import { Link } from '../../router';
import { useChangeNas, useRotateNasSecret } from './mutations';
import type { NasCounts } from './queries';

type Client = Schemas['RadiusClient'];

/**
 * One NAS: its counters and, where the route table allows (`canEdit`, `canRotate`), edit, rotate the secret,
 * disable. Editing opens a form in a row of its own below.
 */
export function NasClientRow(props: {
  client: Client;
  counts: NasCounts | undefined;
  canEdit: boolean;
  canRotate: boolean;
  onSecret: (secret: string) => void;
}) {
  const { client: c, counts, canEdit, canRotate, onSecret } = props;
  const [editing, setEditing] = useState(false);
  const change = useChangeNas(c.id);
  const rotate = useRotateNasSecret(c.id);
  const logLink = (extra = '') => `/radius/log?channel=radius&nas=${encodeURIComponent(c.name)}${extra}`;
  const disabled = c.disabledAt !== null && c.disabledAt !== undefined;

  return (
    <>
      <tr aria-label={c.name}>
        <td>
          {c.name}
          {disabled ? (
            <>
              {' '}
              <span className="pill pill-warn">disabled</span>
            </>
          ) : null}
          {change.error && !editing ? <ErrorNotice error={change.error} title="Not changed" /> : null}
        </td>
        <td>
          <code>{c.cidr}</code>
        </td>
        <td>{formatCount(counts?.accept ?? 0)}</td>
        <td>
          <Link to={logLink('&result=reject')}>{formatCount(counts?.reject ?? 0)}</Link>
        </td>
        <td>
          <Link to={logLink('&result=drop')}>{formatCount(counts?.drop ?? 0)}</Link>
        </td>
        <td>
          {(counts?.reasons ?? []).slice(0, 3).map((r) => (
            <div key={`${r.result}-${r.reason}`}>
              {r.reason.replaceAll('_', ' ')} <span className="muted">({formatCount(r.count)})</span>
            </div>
          ))}
        </td>
        <td className="nowrap">
          {c.secretRotatedAt
            ? `rotated ${formatDateTime(c.secretRotatedAt)}`
            : `set ${formatDateTime(c.createdAt)}`}
        </td>
        <td className="nowrap">
          {canEdit && !editing ? (
            <>
              <button
                type="button"
                className="button button-secondary button-small"
                aria-label={`Edit ${c.name}`}
                onClick={() => {
                  change.reset();
                  setEditing(true);
                }}
              >
                Edit
              </button>{' '}
            </>
          ) : null}
          {canRotate ? (
            <>
              <ConfirmButton
                label="Rotate secret"
                accessibleName={`Rotate the secret of ${c.name}`}
                question="The current secret stops working at once: the NAS needs the new one."
                confirmLabel="Rotate"
                busyLabel="Rotating…"
                errorTitle="The secret was not rotated"
                small
                onConfirm={async () => {
                  const rotated = await rotate.run(undefined);
                  onSecret(rotated.secret);
                }}
              />{' '}
            </>
          ) : null}
          {canEdit ? (
            disabled ? (
              <button
                type="button"
                className="button button-secondary button-small"
                aria-label={`Enable ${c.name}`}
                onClick={() => change.start({ disabled: false })}
                disabled={change.pending}
              >
                Enable
              </button>
            ) : (
              <ConfirmButton
                label="Disable"
                accessibleName={`Disable ${c.name}`}
                question="Its requests are dropped until it is enabled again."
                confirmLabel="Disable"
                busyLabel="Disabling…"
                errorTitle="The NAS was not disabled"
                small
                onConfirm={async () => {
                  await change.run({ disabled: true });
                }}
              />
            )
          ) : null}
        </td>
      </tr>
      {editing ? <EditNasRow client={c} change={change} onClose={() => setEditing(false)} /> : null}
    </>
  );
}

function EditNasRow({
  client: c,
  change,
  onClose,
}: {
  client: Client;
  change: ReturnType<typeof useChangeNas>;
  onClose: () => void;
}) {
  const [name, setName] = useState(c.name);
  const [cidr, setCidr] = useState(c.cidr);
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => nameRef.current?.focus(), []);
  const save = (): void => {
    void change.run({ name: name.trim(), cidr: cidr.trim() }).then(onClose, () => undefined);
  };
  return (
    <tr>
      <td colSpan={8}>
        <Form
          className="filters"
          ariaLabel={`Edit ${c.name}`}
          onSubmit={save}
          pending={change.pending}
          error={change.error}
          errorTitle="Not changed"
          submitLabel="Save"
          busyLabel="Saving…"
          extraActions={
            <button
              type="button"
              className="button button-secondary"
              onClick={onClose}
              disabled={change.pending}
            >
              Cancel
            </button>
          }
        >
          <Field id={`nas-${c.id}-name`} label="Name" inline>
            <input
              ref={nameRef}
              id={`nas-${c.id}-name`}
              required
              autoComplete="off"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </Field>
          <Field id={`nas-${c.id}-cidr`} label="Address or CIDR" inline>
            <input
              id={`nas-${c.id}-cidr`}
              required
              autoComplete="off"
              spellCheck={false}
              value={cidr}
              onChange={(e) => setCidr(e.target.value)}
            />
          </Field>
        </Form>
      </td>
    </tr>
  );
}
