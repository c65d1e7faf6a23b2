/**
 * Category picker: type Chinese, pinyin or pinyin initials ("gs" finds 供水), move with the
 * arrow keys, take with Enter. Suggestions from the description appear as chips.
 */
import { useId, useMemo, useState } from 'react';
import { findCategory, loadDefaultCatalogue, searchCategories, suggestCategories } from '../../../src-common/domain';

interface Props {
  id: string;
  value: string | null;
  onChange(code: string | null): void;
  description: string;
  invalid?: boolean;
}

export function CategoryPicker({ id, value, onChange, description, invalid }: Props) {
  const catalogue = loadDefaultCatalogue();
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const results = useMemo(() => searchCategories(catalogue, query, 12), [catalogue, query]);
  const suggestions = useMemo(
    () => (description.trim().length >= 4 ? suggestCategories(catalogue, description, 3) : []),
    [catalogue, description],
  );
  const selected = value ? findCategory(catalogue, value) : undefined;

  function pick(code: string) {
    onChange(code);
    setQuery('');
    setOpen(false);
  }

  return (
    <div className="picker">
      <input
        id={id}
        type="text"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        autoComplete="off"
        placeholder={selected ? `${selected.name}（输入可更换）` : '输入中文或拼音首字母，如 gs 供水'}
        value={query}
        className={invalid ? 'invalid' : ''}
        onChange={(e) => {
          setQuery(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => query && setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(a + 1, results.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter' && open && results[active]) {
            e.preventDefault();
            pick(results[active].category.code);
          } else if (e.key === 'Escape') {
            setOpen(false);
          }
        }}
      />
      {open && query && (
        <div className="list" id={listId} role="listbox">
          {results.length === 0 && <div className="option">没有找到匹配的类别</div>}
          {results.map((r, i) => (
            <div
              key={r.category.code}
              role="option"
              aria-selected={i === active}
              className={`option ${i === active ? 'active' : ''}`}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(r.category.code);
              }}
            >
              <span>{r.category.name}</span>
              <small>{r.department.short}</small>
            </div>
          ))}
        </div>
      )}
      <div className="btn-row" style={{ marginTop: 6 }}>
        {selected ? (
          <span className={`chip ${selected.alert ? 'urgent' : 'accent'}`} data-testid="category-selected">
            {selected.name}
            <button type="button" className="chip" style={{ border: 0, padding: 0, background: 'none' }} aria-label="清除类别" onClick={() => onChange(null)} tabIndex={-1}>
              ✕
            </button>
          </span>
        ) : (
          <span className="hint">未选择类别</span>
        )}
        {suggestions
          .filter((s) => s.category.code !== value)
          .map((s) => (
            <button type="button" key={s.category.code} className="chip" tabIndex={-1} onClick={() => onChange(s.category.code)} title={`匹配：${s.matched.join('、')}`}>
              建议：{s.category.name}
            </button>
          ))}
      </div>
    </div>
  );
}
