import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useApiMutation } from '../../data/hooks';
import { simKeys, type ImportJob } from './queries';

/** The server's filename rule: 1-200 characters, no path separators. */
const MAX_FILENAME = 200;

async function startImport(file: File): Promise<ImportJob> {
  const csv = await file.text();
  const filename = file.name.replace(/[/\\]/g, '_').slice(0, MAX_FILENAME) || 'upload.csv';
  return unwrap(
    api.POST('/api/v1/sims/imports', {
      params: { query: { filename } },
      body: csv,
      bodySerializer: (body: string) => body,
      headers: { 'Content-Type': 'text/csv' },
    }),
  );
}

export function ImportForm({ busy, onStarted }: { busy: boolean; onStarted: (job: ImportJob) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const upload = useApiMutation({
    run: startImport,
    invalidates: [simKeys.imports],
    onSuccess: (job) => {
      setFile(null);
      if (inputRef.current) inputRef.current.value = '';
      onStarted(job);
    },
  });

  return (
    <form
      className="import-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (file && !upload.pending && !busy) upload.start(file);
      }}
    >
      <div className="import-help">
        <p>
          A CSV file with a header row: <code>imsi,iccid,ki,opc</code> (or <code>op</code> instead of{' '}
          <code>opc</code>), optionally followed by <code>msisdn</code> and <code>batch</code>. Header names
          are case-insensitive. Magma NMS subscriber exports are accepted as they are.
        </p>
        <p className="muted">
          IMSIs must belong to this network&rsquo;s PLMN. Keys are encrypted on arrival and never shown again;
          bad rows are reported with their line number and do not stop the others.
        </p>
      </div>
      <div className="import-controls">
        <div className="field field-inline">
          <label htmlFor="sim-import-file">SIM batch file (CSV)</label>
          <input
            ref={inputRef}
            id="sim-import-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
        </div>
        <button
          type="submit"
          className="button button-primary"
          disabled={!file || upload.pending || busy}
          aria-busy={upload.pending}
        >
          {upload.pending ? 'Uploading…' : 'Import'}
        </button>
      </div>
      {upload.error ? <ErrorNotice error={upload.error} title="The import could not start" /> : null}
    </form>
  );
}
