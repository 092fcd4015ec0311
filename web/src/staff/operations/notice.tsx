import { useState } from 'preact/hooks';
import { allPages, get, post } from '../../api.ts';
import { formatInstant, t, useLang } from '../../i18n.ts';
import type { PublicNotice } from '../../public/notices.tsx';
import { hasRole, useSession } from '../../session.ts';
import {
  fieldError,
  Loading,
  ProblemBox,
  RadioGroup,
  Section,
  Status,
  TextAreaField,
  useLoad,
} from '../../ui.tsx';
import { enc, Facts, hashParam, Notice, useAction, useFocusTarget } from './common.tsx';
import { Named } from './names.tsx';

/**
 * `#/staff/notices/:id` (Art. 8(4)): a public notice as staff see it — status and period, the listed
 * applications, and the objections with the objectors' confidential details; an officer resolves each
 * pending objection (upheld / dismissed with a response). After the notice closes, the last resolution
 * decides the application (the API's rule).
 */
interface Objection {
  id: string;
  noticeId: string;
  applicationId: string;
  objectorName: string;
  objectorType: string;
  contact: string;
  reason: string;
  status: string;
  createdAt: string;
  resolvedAt?: string;
  resolvedBy?: string;
  response?: string;
  version: number;
}

export function NoticePage({ params }: { params: Record<string, string> }) {
  useLang();
  const s = useSession();
  const id = params.id ?? '';
  const reader = hasRole(s, 'officer', 'approver');
  const officer = hasRole(s, 'officer');
  const notice = useLoad(() => get<PublicNotice>(`/v1/public/notices/${enc(id)}`), [id]);
  const objections = useLoad(
    () => (reader ? allPages<Objection>(`/v1/notices/${enc(id)}/objections`) : Promise.resolve([])),
    [id, reader],
  );
  const [done, setDone] = useState('');
  const target = hashParam('objection');
  useFocusTarget(target ? `objection-${target}` : undefined, Boolean(objections.data));
  const n = notice.data;
  const orgOf = (appId: string) => n?.entries.find((e) => e.applicationId === appId)?.orgName ?? appId;
  return (
    <main id="main">
      <h1>{n ? n.title : t('ops.notice.title')}</h1>
      <Notice text={done} />
      <ProblemBox problem={notice.problem} />
      <Loading when={notice.loading && !n}>
        {n ? (
          <>
            <Facts
              rows={[
                [t('common.status'), <Status key="s" value={n.status} />],
                [
                  t('staff.notices.period'),
                  t('ops.notice.period', {
                    first: n.firstDay,
                    last: n.lastDay,
                    n: n.length,
                    unit: t(`ops.notice.unit.${n.unit}`),
                  }),
                ],
                [t('ops.notice.ends'), formatInstant(n.endsAt)],
                [
                  t('staff.calls.detail'),
                  <a key="c" href={`#/staff/calls/${enc(n.callId)}`}>
                    <Named kind="call" id={n.callId} />
                  </a>,
                ],
                [t('staff.notices.objections'), String(n.objectionCount ?? '—')],
              ]}
            />
            <Section title={t('ops.notice.entries')}>
              <ul>
                {n.entries.map((e) => (
                  <li key={e.applicationId}>
                    <a href={`#/staff/applications/${enc(e.applicationId)}`}>{e.orgName}</a> —{' '}
                    {e.platformSummary}
                  </li>
                ))}
              </ul>
            </Section>
          </>
        ) : null}
      </Loading>
      {reader ? (
        <Section title={t('ops.objections.title')}>
          <ProblemBox problem={objections.problem} />
          <Loading when={objections.loading && !objections.data}>
            {objections.data?.length ? (
              objections.data.map((o) => (
                <article
                  key={o.id}
                  id={`objection-${o.id}`}
                  tabIndex={-1}
                  class={`card objection${o.id === target ? ' targeted' : ''}`}
                  aria-labelledby={`objection-${o.id}-title`}
                >
                  <h3 id={`objection-${o.id}-title`}>
                    {t('ops.objections.about', { org: orgOf(o.applicationId) })}{' '}
                    <span class={`status status-${o.status}`}>{t(`ops.objectionStatus.${o.status}`)}</span>
                  </h3>
                  <Facts
                    rows={[
                      [
                        t('ops.objections.objector'),
                        `${o.objectorName}（${t(`ops.objector.${o.objectorType}`)}）`,
                      ],
                      [t('ops.objections.contact'), o.contact],
                      [t('ops.objections.filed'), formatInstant(o.createdAt)],
                      [t('ops.objections.reason'), o.reason],
                      o.resolvedAt && [
                        t('ops.decidedAt'),
                        `${formatInstant(o.resolvedAt)} · ${o.resolvedBy ?? ''}`,
                      ],
                      o.response !== undefined && [t('ops.objections.response'), o.response],
                    ]}
                  />
                  {officer && o.status === 'pending' ? (
                    <ResolutionForm
                      objection={o}
                      onDone={(upheld) => {
                        setDone(t(upheld ? 'ops.objections.upheldDone' : 'ops.objections.dismissedDone'));
                        objections.reload();
                        notice.reload();
                      }}
                    />
                  ) : null}
                </article>
              ))
            ) : (
              <p>{t('ops.objections.none')}</p>
            )}
          </Loading>
        </Section>
      ) : null}
    </main>
  );
}

function ResolutionForm({ objection, onDone }: { objection: Objection; onDone: (upheld: boolean) => void }) {
  const [upheld, setUpheld] = useState<boolean | undefined>();
  const [response, setResponse] = useState('');
  const a = useAction();
  return (
    <form
      aria-label={t('ops.objections.resolve')}
      onSubmit={async (e) => {
        e.preventDefault();
        if (upheld === undefined) return;
        const r = await a.run((key) =>
          post(
            `/v1/objections/${enc(objection.id)}/resolution`,
            { upheld, response },
            { idempotencyKey: key },
          ),
        );
        if (r) onDone(upheld);
      }}
    >
      <RadioGroup
        legend={t('ops.objections.resolve')}
        name={`objection-${objection.id}-outcome`}
        required
        options={[true, false] as const}
        value={upheld}
        onChange={setUpheld}
        optionLabel={(v) => t(v ? 'ops.objections.uphold' : 'ops.objections.dismiss')}
      />
      <TextAreaField
        required
        id={`objection-${objection.id}-response`}
        label={t('ops.objections.response')}
        value={response}
        onInput={setResponse}
        error={fieldError(a.problem, 'response')}
      />
      <ProblemBox problem={a.problem} />
      <button type="submit" disabled={a.busy}>
        {t('ops.objections.submit')}
      </button>
    </form>
  );
}
