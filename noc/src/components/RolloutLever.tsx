import { ConfirmButton } from './ConfirmButton';

/** A rollout's levers (the app store's and the OS's alike): the button's word, its busy word, its failure. */
const LEVERS = {
  pause: { label: 'Pause', busy: 'Pausing…', done: 'paused', tone: 'secondary' },
  resume: { label: 'Resume', busy: 'Resuming…', done: 'resumed', tone: 'primary' },
  advance: { label: 'Advance', busy: 'Advancing…', done: 'advanced', tone: 'secondary' },
  halt: { label: 'Halt', busy: 'Halting…', done: 'halted', tone: 'danger' },
} as const;

export type Lever = keyof typeof LEVERS;

/** What a lever's buttons say: its label, the name a screen reader hears, the confirm, busy and failure words. */
export function leverWords(lever: Lever, name: string) {
  const { label, busy, done, tone } = LEVERS[lever];
  return {
    label,
    accessibleName: `${label} ${name}`,
    confirmLabel: `${label} it`,
    busyLabel: busy,
    errorTitle: `The rollout was not ${done}`,
    tone,
  };
}

/**
 * One lever on a rollout behind a confirm: "Pause" (named "Pause <name>"), then "Pause it" / "Pausing…",
 * and "The rollout was not paused" when the write fails. `question` says what pulling it does.
 */
export function RolloutLever({
  lever,
  name,
  question,
  small,
  disabled,
  onConfirm,
}: {
  lever: Lever;
  /** The rollout, as the accessible name reads it: "the rollout of org.example in Ministry of Finance". */
  name: string;
  question: string;
  small?: boolean;
  disabled?: boolean;
  onConfirm: () => Promise<unknown>;
}) {
  return (
    <ConfirmButton
      {...leverWords(lever, name)}
      question={question}
      small={small}
      disabled={disabled}
      onConfirm={async () => {
        await onConfirm();
      }}
    />
  );
}
