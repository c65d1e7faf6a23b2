/** A row of radio buttons: Tab enters the group, arrow keys choose. */
interface Props<T extends string> {
  name: string;
  legend: string;
  options: readonly T[];
  labels: Record<T, string>;
  value: T | '';
  onChange(value: T): void;
  error?: string | undefined;
  required?: boolean;
  className?: string;
  optionClass?: (value: T) => string;
}

export function ChoiceGroup<T extends string>(p: Props<T>) {
  return (
    <fieldset className={`field ${p.error ? 'invalid' : ''}`} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
      <legend className={`label ${p.required ? 'req' : ''}`} style={{ fontSize: 12, color: 'var(--muted)', marginBottom: 4, padding: 0 }}>
        {p.legend}
      </legend>
      <div className={`choices ${p.className ?? ''}`} role="radiogroup" aria-label={p.legend}>
        {p.options.map((o) => (
          <label key={o} className={p.optionClass?.(o) ?? ''}>
            <input type="radio" name={p.name} value={o} checked={p.value === o} onChange={() => p.onChange(o)} />
            {p.labels[o]}
          </label>
        ))}
      </div>
      {p.error && <span className="error">{p.error}</span>}
    </fieldset>
  );
}
