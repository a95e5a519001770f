import { useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { is404, networkQueries } from './queries';
import { Unavailable } from './Unavailable';

const RENDER_COMMAND = 'pakawaaz open5gs render --out /etc/open5gs';

async function copyText(text: string): Promise<void> {
  // navigator.clipboard exists only in a secure context (HTTPS or localhost).
  if (!window.isSecureContext || !('clipboard' in navigator))
    throw new Error(
      'This browser offers no clipboard on a page served over plain HTTP: select the text and copy it.',
    );
  await navigator.clipboard.writeText(text);
}

/**
 * The Open5GS 2.7 files the current spec renders to, one at a time, with a copy button. No download: the
 * CSP (`default-src 'self'`) allows no blob: URLs, and the CLI writes the files on the host anyway.
 */
export function Open5gsConfigSection() {
  const { data: config, error, loading, refresh } = useApiQuery(networkQueries.open5gsConfig());
  const [selected, setSelected] = useState('');
  const [copied, setCopied] = useState<string | null>(null);
  const copy = useApiMutation({
    run: (file: { name: string; content: string }) => copyText(file.content),
    onSuccess: (_none, file) => setCopied(file.name),
  });

  // The chosen file, or the first one (also when a new spec no longer renders the chosen one).
  const file = config?.files.find((f) => f.name === selected) ?? config?.files[0] ?? null;

  return (
    <section className="card form-card" aria-labelledby="open5gs-config-heading">
      <h2 id="open5gs-config-heading">Open5GS configuration</h2>
      <p className="card-lead">
        The Open5GS 2.7 files rendered from the current spec
        {config ? (
          <>
            {' '}
            (version {config.specVersion},{' '}
            <code className="muted" title={`SHA-256 ${config.sha256}`}>
              {config.sha256.slice(0, 12)}
            </code>
            )
          </>
        ) : null}
        . To write them to a host, run there <code className="command">{RENDER_COMMAND}</code>; add{' '}
        <code>--check</code> to see the differences first without writing anything. The <code>upf-host/</code>{' '}
        files are each UPF host&apos;s network units, sysctl and nftables rules:{' '}
        <code>--upf-host-out DIR</code> writes them.
      </p>
      {loading && !config ? <p className="muted">Loading…</p> : null}
      {error ? (
        is404(error) ? (
          <Unavailable
            title={error.code === 'not_found' ? 'Open5GS configuration' : 'No network spec applied yet'}
            path="/api/v1/network/open5gs-config"
            error={error}
            onRetry={refresh}
          />
        ) : (
          <ErrorNotice error={error} title="Could not render the Open5GS configuration" onRetry={refresh} />
        )
      ) : null}
      {config && file ? (
        <>
          <div className="config-toolbar">
            <div className="field field-inline">
              <label htmlFor="open5gs-file">File</label>
              <select
                id="open5gs-file"
                value={file.name}
                onChange={(event) => {
                  setSelected(event.target.value);
                  setCopied(null);
                  copy.reset();
                }}
              >
                {config.files.map((f) => (
                  <option key={f.name} value={f.name}>
                    {f.name}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => {
                setCopied(null);
                copy.start(file);
              }}
              disabled={copy.pending}
              aria-busy={copy.pending}
            >
              {copy.pending ? 'Copying…' : 'Copy to clipboard'}
            </button>
            <span className="muted small">
              {config.files.length} {config.files.length === 1 ? 'file' : 'files'}
            </span>
            <div role="status" aria-live="polite">
              {copied ? <p className="success-text">Copied {copied} to the clipboard.</p> : null}
            </div>
          </div>
          {copy.error ? <ErrorNotice error={copy.error} title={`Could not copy ${file.name}`} /> : null}
          <pre className="config-file" tabIndex={0} role="region" aria-label={`Contents of ${file.name}`}>
            {file.content}
          </pre>
        </>
      ) : null}
      {config && config.files.length === 0 ? <p className="muted">The spec renders no files.</p> : null}
    </section>
  );
}
