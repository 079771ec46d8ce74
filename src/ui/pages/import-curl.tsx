/**
 * Import cURL: paste a cURL command from an API's docs, get an `http` step to paste into a
 * workflow and, when the command has credentials, a connection file that reads them from
 * environment variables. Done in the browser with the same code as `hookflow import curl`:
 * the command (and its secret) is not sent to the server.
 */
import { useMemo, useState } from 'react';
import { CopyButton } from '../components/bits.js';
import { importCurl } from '../../import/index.js';
import type { CurlImport } from '../../import/index.js';

const PLACEHOLDER = `curl -X POST https://api.example.com/v1/orders \\
  -H 'Authorization: Bearer sk_live_…' \\
  -H 'Content-Type: application/json' \\
  --data-raw '{"sku": "A-1", "qty": 2}'`;

export function ImportCurlPage() {
  const [command, setCommand] = useState('');
  const [id, setId] = useState('');
  const [connection, setConnection] = useState('');
  const result = useMemo((): { out: CurlImport } | { error: string } | null => {
    if (command.trim() === '') return null;
    try {
      return {
        out: importCurl(command, {
          ...(id.trim() ? { id: id.trim() } : {}),
          ...(connection.trim() ? { connection: connection.trim() } : {}),
        }),
      };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [command, id, connection]);

  return (
    <section data-testid="import-curl">
      <h1>Import a cURL command</h1>
      <p className="muted">
        Paste a cURL command from an API&apos;s docs. It becomes an <code>http</code> step; its
        credentials go into a connection that reads them from environment variables, never into the
        workflow. The command stays in this browser.
      </p>
      <textarea
        className="curl-input"
        aria-label="cURL command"
        placeholder={PLACEHOLDER}
        value={command}
        onChange={(e) => setCommand(e.target.value)}
        spellCheck={false}
      />
      <div className="curl-options">
        <label>
          Step id
          <input value={id} placeholder="request" onChange={(e) => setId(e.target.value)} />
        </label>
        <label>
          Connection name
          <input
            value={connection}
            placeholder="from the host"
            onChange={(e) => setConnection(e.target.value)}
          />
        </label>
      </div>
      {result && 'error' in result && (
        <div className="error-box" role="alert">
          {result.error}
        </div>
      )}
      {result && 'out' in result && <ImportResult out={result.out} />}
    </section>
  );
}

function ImportResult({ out }: { out: CurlImport }) {
  return (
    <>
      {out.connection && (
        <div className="card" data-testid="curl-connection">
          <div className="card-head">
            <strong>
              Connection: save as{' '}
              <span className="mono">connections/{out.connection.name}.yaml</span>
            </strong>
            <CopyButton text={out.connection.yaml} label="Copy YAML" />
          </div>
          <pre className="code">{out.connection.yaml}</pre>
          <p>
            Set these environment variables where Hookflow runs (the values are in your command):
          </p>
          <ul data-testid="curl-env">
            {out.env.map((v) => (
              <li key={v.name}>
                <code>{v.name}</code> <span className="muted">{v.holds}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="card" data-testid="curl-step">
        <div className="card-head">
          <strong>Step: paste under steps: in a workflow</strong>
          <CopyButton text={out.stepYaml} label="Copy YAML" />
        </div>
        <pre className="code">{out.stepYaml}</pre>
      </div>
      {out.notes.length > 0 && (
        <ul className="muted" data-testid="curl-notes">
          {out.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </>
  );
}
