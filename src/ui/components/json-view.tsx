/**
 * A JSON tree that stays fast on megabytes: containers open only when shallow and small,
 * children are built only when their parent is open, at most 100 at a time ("show more"), and
 * long strings show their first 300 characters ("show all"). Only opened levels render, so a
 * deep payload costs what the user opens; the server bounds its depth (HOOKFLOW_MAX_DEPTH).
 */
import { useState } from 'react';
import { formatBytes } from '../lib/format.js';
import {
  PAGE,
  entriesOf,
  kindOf,
  previewString,
  sizeOf,
  startsOpen,
  summary,
} from '../lib/json-tree.js';

export function JsonView({ value, openDepth = 2 }: { value: unknown; openDepth?: number }) {
  return (
    <div className="json">
      <JsonNode value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

function JsonNode(props: { name?: string; value: unknown; depth: number; openDepth: number }) {
  const { name, value } = props;
  const kind = kindOf(value);
  const label = name === undefined ? null : <span className="json-key">{name}: </span>;
  if (kind !== 'object' && kind !== 'array') {
    return (
      <div className="json-line">
        {label}
        <Primitive value={value} />
      </div>
    );
  }
  return <Container {...props} label={label} />;
}

function Container(props: {
  value: unknown;
  depth: number;
  openDepth: number;
  label: React.ReactNode;
}) {
  const { value, depth, openDepth, label } = props;
  const [open, setOpen] = useState(() => startsOpen(value, depth, openDepth));
  const [shown, setShown] = useState(PAGE);
  const size = sizeOf(value);
  if (size === 0) {
    return (
      <div className="json-line">
        {label}
        <span className="json-punct">{summary(value)}</span>
      </div>
    );
  }
  return (
    <div className="json-container">
      <button
        type="button"
        className="json-toggle"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="json-caret">{open ? '▾' : '▸'}</span>
        {label}
        <span className="json-punct">{summary(value)}</span>
      </button>
      {open && (
        <div className="json-children">
          {entriesOf(value, 0, shown).map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
          {shown < size && (
            <button type="button" className="json-more" onClick={() => setShown((n) => n + PAGE)}>
              show {Math.min(PAGE, size - shown)} more ({(size - shown).toLocaleString('en')}{' '}
              hidden)
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function Primitive({ value }: { value: unknown }) {
  const [all, setAll] = useState(false);
  const kind = kindOf(value);
  if (kind !== 'string') {
    return <span className={`json-${kind}`}>{value === undefined ? 'null' : String(value)}</span>;
  }
  const s = value as string;
  const { text, hidden } = all ? { text: s, hidden: 0 } : previewString(s);
  return (
    <span className="json-string">
      "{text}
      {hidden > 0 ? '…' : ''}"
      {hidden > 0 && (
        <button type="button" className="json-more" onClick={() => setAll(true)}>
          show all ({formatBytes(s.length)})
        </button>
      )}
    </span>
  );
}
