import type { Institution } from '../identity';

/** Ministries in name order, each followed by its departments (indented), as one flat list of options. */
export function institutionTree(list: readonly Institution[]): { institution: Institution; depth: number }[] {
  const byName = (a: Institution, b: Institution) => a.name.localeCompare(b.name);
  const known = new Set(list.map((i) => i.id));
  const children = (parentId: string | null) =>
    list
      .filter((i) =>
        parentId === null ? i.parentId === null || !known.has(i.parentId) : i.parentId === parentId,
      )
      .sort(byName);
  const out: { institution: Institution; depth: number }[] = [];
  const walk = (parentId: string | null, depth: number): void => {
    for (const institution of children(parentId)) {
      out.push({ institution, depth });
      if (depth < 8) walk(institution.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

type Props = {
  id: string;
  value: string;
  onChange: (id: string) => void;
  institutions: readonly Institution[];
  /** Label of the empty choice (e.g. "None (national)"); without it a choice is required. */
  noneLabel?: string;
  /** Only institutions of this kind (a department's parent is a ministry). */
  kind?: Institution['kind'];
  disabled?: boolean;
  describedBy?: string;
};

export function InstitutionSelect({
  id,
  value,
  onChange,
  institutions,
  noneLabel,
  kind,
  disabled,
  describedBy,
}: Props) {
  const options = institutionTree(institutions).filter((o) => !kind || o.institution.kind === kind);
  return (
    <select
      id={id}
      value={value}
      required={noneLabel === undefined}
      disabled={disabled}
      aria-describedby={describedBy}
      onChange={(event) => onChange(event.target.value)}
    >
      <option value="">{noneLabel ?? 'Choose…'}</option>
      {options.map(({ institution, depth }) => (
        <option key={institution.id} value={institution.id}>
          {`${'\u2003'.repeat(depth)}${institution.name}`}
        </option>
      ))}
      {value && !institutions.some((i) => i.id === value) ? <option value={value}>{value}</option> : null}
    </select>
  );
}
