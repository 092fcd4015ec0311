import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { allPages } from '../../api.ts';
import { t, useLang } from '../../i18n.ts';
import { Field, fieldError, ProblemBox, useLoad, useRun } from '../../ui.tsx';
import { download, saveBlob } from './common.tsx';
import './messages.ts';

/**
 * CSV exports (Art. 11–13) for officers, approvers, admins and observers: the ranking of a call, the
 * registry, the grades of a year and the revocation cases. Each download is fetched with the signed-in
 * user's token and saved through an object URL; the server audits every export.
 */
interface CallItem {
  id: string;
  title: string;
}

type Name = 'ranking' | 'registry' | 'grades' | 'revocations';

export function Exports() {
  useLang();
  const calls = useLoad(() => allPages<CallItem>('/v1/calls', 500).catch(() => [] as CallItem[]), []);
  const [callId, setCallId] = useState('');
  const [year, setYear] = useState(String(new Date().getFullYear()));
  return (
    <main id="main">
      <h1>{t('fin.exports')}</h1>
      <p class="fin-lead">{t('fin.exports.lead')}</p>
      <p class="fin-note" role="note">
        {t('fin.exports.audited')}
      </p>
      <ul class="fin-cards">
        <ExportCard name="registry" />
        <ExportCard name="ranking" query={callId ? `callId=${encodeURIComponent(callId)}` : undefined}>
          <div class="field">
            <label for="export-call">{t('fin.exports.call')}</label>
            <select
              id="export-call"
              value={callId}
              onChange={(e) => setCallId((e.target as HTMLSelectElement).value)}
            >
              <option value="">{calls.loading ? t('common.loading') : t('fin.exports.chooseCall')}</option>
              {(calls.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
            </select>
          </div>
        </ExportCard>
        <ExportCard name="grades" query={`year=${encodeURIComponent(year)}`}>
          {(problem) => (
            <Field
              id="export-year"
              label={t('fin.exports.year')}
              type="number"
              value={year}
              onInput={setYear}
              error={fieldError(problem, 'year') ?? fieldError(problem, 'query.year')}
            />
          )}
        </ExportCard>
        <ExportCard name="revocations" />
      </ul>
    </main>
  );
}

function ExportCard(props: {
  name: Name;
  query?: string;
  children?: ComponentChildren | ((problem: unknown) => ComponentChildren);
}) {
  const { problem, busy, run } = useRun();
  const [saved, setSaved] = useState('');
  const needsQuery = props.name === 'ranking' || props.name === 'grades';
  const save = () =>
    run(async () => {
      setSaved('');
      const { blob, fileName } = await download(
        `/v1/exports/${props.name}.csv${props.query ? `?${props.query}` : ''}`,
      );
      const name = fileName ?? `${props.name}.csv`;
      saveBlob(blob, name);
      setSaved(t('fin.exports.saved', { name, kb: (blob.size / 1024).toFixed(1) }));
    });
  const id = `export-${props.name}`;
  return (
    <li class="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="fin-card-title">
        {t(`fin.exports.${props.name}`)}
      </h2>
      <p>{t(`fin.exports.${props.name}.desc`)}</p>
      {typeof props.children === 'function' ? props.children(problem) : props.children}
      <ProblemBox problem={problem} />
      <button type="button" disabled={busy || (needsQuery && !props.query)} onClick={save}>
        {t('fin.exports.download', { name: t(`fin.exports.${props.name}`) })}
      </button>
      <p role="status" class="ok">
        {saved}
      </p>
    </li>
  );
}
