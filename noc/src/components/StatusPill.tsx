export type Tone = 'good' | 'bad' | 'neutral' | 'warn';

const toneOf: Record<string, Tone> = {
  up: 'good',
  active: 'good',
  ok: 'good',
  intact: 'good',
  down: 'bad',
  broken: 'bad',
  barred: 'bad',
  planned: 'neutral',
};

/** A status word in a coloured pill; the word itself carries the meaning, colour only reinforces it. */
export function StatusPill({ value, tone, label }: { value: string; tone?: Tone; label?: string }) {
  const resolved = tone ?? toneOf[value] ?? 'neutral';
  return (
    <span className={`pill pill-${resolved}`} title={label}>
      {value}
    </span>
  );
}
