import { useEffect, useRef, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { CreateForm } from '../../components/CreateForm';
import { Field, RadioRow, type RadioChoice } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import { useApiMutation } from '../../data/hooks';
import type { Institution } from '../../identity';
import { PHASES, SCOPES, type Phase, type Scope } from './options';
import { INSTITUTIONS_KEY } from './queries';

type Kind = Institution['kind'];

const KINDS: readonly RadioChoice<Kind>[] = [
  { value: 'ministry', label: 'Ministry' },
  {
    value: 'department',
    label: (
      <>
        Department <span className="hint">(of a ministry)</span>
      </>
    ),
  },
];

export function CreateInstitutionForm({
  institutions,
  onClose,
}: {
  institutions: Institution[];
  onClose: () => void;
}) {
  const [kind, setKind] = useState<Kind>('ministry');
  const [name, setName] = useState('');
  const [parentId, setParentId] = useState('');
  const [phase, setPhase] = useState<Phase>('pilot');
  const [scope, setScope] = useState<Scope>('hierarchy');
  const nameRef = useRef<HTMLInputElement>(null);
  const create = useApiMutation({
    run: (body: Schemas['CreateInstitution']) => unwrap(api.POST('/api/v1/institutions', { body })),
    invalidates: [INSTITUTIONS_KEY],
    onSuccess: () => {
      setName('');
      nameRef.current?.focus();
    },
  });

  useEffect(() => nameRef.current?.focus(), []);

  const submit = (): void => {
    create.reset();
    create.start({
      name: name.trim(),
      kind,
      ...(kind === 'department' ? { parentId } : {}),
      rolloutPhase: phase,
      directoryScope: scope,
    });
  };

  const created = create.result;
  return (
    <section className="card form-card" aria-labelledby="create-institution-heading">
      <h2 id="create-institution-heading">Add an institution</h2>
      <CreateForm
        ariaLabel="Add an institution"
        create={create}
        onSubmit={submit}
        onClose={onClose}
        errorTitle="The institution was not created"
        submitLabel={kind === 'ministry' ? 'Create ministry' : 'Create department'}
        status={
          created ? (
            <p className="success-text">
              Created the {created.kind} {created.name}.
            </p>
          ) : null
        }
      >
        <RadioRow legend="Kind" name="institution-kind" value={kind} choices={KINDS} onChange={setKind} />
        <div className="form-grid">
          <Field id="new-institution-name" label="Name">
            <input
              ref={nameRef}
              id="new-institution-name"
              autoComplete="off"
              required
              minLength={2}
              maxLength={200}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </Field>
          {kind === 'department' ? (
            <Field id="new-institution-parent" label="Ministry">
              <InstitutionSelect
                id="new-institution-parent"
                value={parentId}
                onChange={setParentId}
                institutions={institutions}
                kind="ministry"
              />
            </Field>
          ) : null}
          <Field id="new-institution-phase" label="Rollout phase">
            <select
              id="new-institution-phase"
              value={phase}
              onChange={(event) => setPhase(event.target.value as Phase)}
            >
              {PHASES.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          </Field>
          <Field id="new-institution-scope" label="Directory shows">
            <select
              id="new-institution-scope"
              value={scope}
              onChange={(event) => setScope(event.target.value as Scope)}
            >
              {SCOPES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </CreateForm>
    </section>
  );
}
