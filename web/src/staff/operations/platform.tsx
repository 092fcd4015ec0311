import { useState } from 'preact/hooks';
import { ApiProblem, allPages, get, type PageOf, post, sha256Hex, uploadWithProgress } from '../../api.ts';
import type { AdvanceNotice, Consent } from '../../applicant/model.ts';
import { formatCny, formatInstant, t, useLang } from '../../i18n.ts';
import { navigate } from '../../router.ts';
import { hasRole, useSession } from '../../session.ts';
import {
  DataTable,
  Field,
  fieldError,
  Loading,
  ProblemBox,
  RadioGroup,
  Section,
  SelectField,
  Status,
  TableScroll,
  TextAreaField,
  useLoad,
} from '../../ui.tsx';
import { enc, Facts, hashParam, Items, Notice, useAction, useFocusTarget } from './common.tsx';
import { Named, rememberName } from './names.tsx';

/**
 * `#/staff/platforms/:id`: a recognised platform's registry record as staff see it (Art. 10, 11, 13, 6(6)):
 * the record, its change requests with the officer's approve / reject and opinion (approval changes the
 * record in the same transaction; the old values go to the history), the history, platform evidence
 * with audited downloads, advance notices, sharing consents, the service catalogue and case library with
 * the officer's visibility toggles, open revocation cases and the form to open one.
 */
export interface Platform {
  id: string;
  hostName: string;
  uscc: string;
  orgId: string;
  applicationId: string;
  callId: string;
  noticeId: string;
  summary: string;
  capabilities: string[];
  targetTasks?: string[];
  consortium: { name: string; uscc?: string; kind: string }[];
  status: string;
  recognisedAt: string;
  validUntil: string;
  version: number;
}
interface ManifestEntry {
  evidenceId: string;
  kind: string;
  fileName: string;
  sha256: string;
  sizeBytes: number;
}
export interface ChangeRequest {
  id: string;
  platformId: string;
  kind: string;
  description: string;
  proposed: Record<string, unknown>;
  current: Record<string, unknown>;
  evidenceManifest: ManifestEntry[];
  status: string;
  requestedBy: string;
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
  opinion?: string;
  version: number;
}
interface HistoryEntry {
  at: string;
  kind: string;
  changeRequestId?: string;
  previous: Record<string, unknown>;
  next: Record<string, unknown>;
  actor: string;
}
export interface PlatformEvidence {
  evidenceId: string;
  kind: string;
  fileName: string;
  sizeBytes: number;
  status: string;
  createdAt: string;
  createdBy: string;
}
interface Hidden {
  reason: string;
  by: string;
  at: string;
}
interface Service {
  serviceId: string;
  category: string;
  name: string;
  provider: string;
  unit: string;
  priceRangeCny: { min: number; max: number };
  available: boolean;
  hidden?: Hidden;
  version: number;
}
interface Case {
  caseId: string;
  title: string;
  sector: string;
  customerType: string;
  outcome: string;
  hidden?: Hidden;
  version: number;
}
interface RevocationHead {
  id: string;
  platformId: string;
  ground: string;
  status: string;
  responseDeadline: string;
}

export const REVOCATION_GROUNDS = [
  'consecutive_unqualified',
  'overdue_report',
  'falsification',
  'host_terminated',
  'serious_violation',
  'other',
] as const;

export function PlatformPage({ params }: { params: Record<string, string> }) {
  useLang();
  const s = useSession();
  const id = params.id ?? '';
  const officer = hasRole(s, 'officer');
  const staff = hasRole(s, 'officer', 'approver', 'admin');
  const platform = useLoad(async () => {
    const p = await get<Platform>(`/v1/platforms/${enc(id)}`);
    rememberName('platform', p.id, p.hostName);
    return p;
  }, [id]);
  const [done, setDone] = useState('');
  const p = platform.data;
  const changed = (text: string) => {
    setDone(text);
    platform.reload();
  };
  return (
    <main id="main">
      <h1>{p ? p.hostName : t('ops.platform.title')}</h1>
      <p class="ops-muted">{t('ops.platform.title')}</p>
      <Notice text={done} />
      <ProblemBox problem={platform.problem} />
      <Loading when={platform.loading && !p}>
        {p ? (
          <>
            <Record p={p} staff={staff} />
            {staff ? (
              <ChangeRequests platformId={id} officer={officer} version={p.version} onDecided={changed} />
            ) : null}
            <History platformId={id} version={p.version} />
            <EvidenceSection platformId={id} officer={officer && p.status === 'active'} />
            <AdvanceNotices platformId={id} />
            <Consents platformId={id} />
            <Catalogue platformId={id} officer={officer} onChanged={setDone} />
            {staff ? <Revocation p={p} officer={officer} /> : null}
          </>
        ) : null}
      </Loading>
    </main>
  );
}

function Record({ p, staff }: { p: Platform; staff: boolean }) {
  return (
    <Facts
      rows={[
        [
          t('staff.registry.host'),
          staff ? <a href={`#/staff/organisations/${enc(p.orgId)}`}>{p.hostName}</a> : p.hostName,
        ],
        [t('staff.app.uscc'), <code key="u">{p.uscc}</code>],
        [t('common.status'), <Status key="s" value={p.status} />],
        [t('ops.platform.recognisedAt'), formatInstant(p.recognisedAt)],
        [t('staff.registry.validUntil'), p.validUntil],
        [t('staff.app.summary'), p.summary],
        [t('ops.platform.capabilities'), <Items key="c" values={p.capabilities} />],
        [t('ops.platform.targetTasks'), <Items key="t" values={p.targetTasks ?? []} />],
        [
          t('ops.platform.consortium'),
          p.consortium.length ? (
            <ul class="plain-list">
              {p.consortium.map((m) => (
                <li key={m.name}>
                  {m.name}（{t(`ops.member.${m.kind}`)}）
                </li>
              ))}
            </ul>
          ) : (
            '—'
          ),
        ],
        staff && [
          t('ops.platform.application'),
          <a key="a" href={`#/staff/applications/${enc(p.applicationId)}`}>
            {t('ops.platform.openApplication')}
          </a>,
        ],
        [
          t('ops.platform.notice'),
          <a key="n" href={`#/staff/notices/${enc(p.noticeId)}`}>
            <Named kind="notice" id={p.noticeId} />
          </a>,
        ],
      ]}
    />
  );
}

/** The values a change replaces and proposes, per kind (Art. 10). */
function ChangeValues({ cr }: { cr: ChangeRequest }) {
  if (cr.kind === 'host_organisation') {
    const orgId = String(cr.proposed.orgId ?? '');
    return (
      <Facts
        rows={[
          [t('ops.change.current'), String(cr.current.hostName ?? '—')],
          [
            t('ops.change.proposed'),
            <a key="o" href={`#/staff/organisations/${enc(orgId)}`}>
              <Named kind="organisation" id={orgId} />
            </a>,
          ],
        ]}
      />
    );
  }
  const current = cr.kind === 'service_content' ? cr.current.capabilities : cr.current.targetTasks;
  const proposed = cr.kind === 'service_content' ? cr.proposed.services : cr.proposed.tasks;
  return (
    <Facts
      rows={[
        [t('ops.change.current'), <Items key="c" values={current ?? []} />],
        [t('ops.change.proposed'), <Items key="p" values={proposed ?? []} />],
      ]}
    />
  );
}

function ChangeRequests(props: {
  platformId: string;
  officer: boolean;
  version: number;
  onDecided: (text: string) => void;
}) {
  const target = hashParam('changeRequest');
  const list = useLoad(
    () => get<PageOf<ChangeRequest>>(`/v1/platforms/${enc(props.platformId)}/change-requests?limit=100`),
    [props.platformId, props.version],
  );
  useFocusTarget(target ? `cr-${target}` : undefined, Boolean(list.data));
  const items = list.data?.items ?? [];
  return (
    <Section title={t('ops.change.title')}>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        {items.length ? (
          items.map((cr) => (
            <article
              key={cr.id}
              id={`cr-${cr.id}`}
              tabIndex={-1}
              class={`card change-request${cr.id === target ? ' targeted' : ''}`}
              aria-labelledby={`cr-${cr.id}-title`}
            >
              <h3 id={`cr-${cr.id}-title`}>
                {t('ops.change.item', { kind: t(`ops.change.kind.${cr.kind}`) })} <Status value={cr.status} />
              </h3>
              <p>{cr.description}</p>
              <ChangeValues cr={cr} />
              <Facts
                rows={[
                  [t('ops.change.filed'), `${formatInstant(cr.createdAt)} · ${cr.requestedBy}`],
                  cr.evidenceManifest.length > 0 && [
                    t('staff.evidence'),
                    <Downloads key="e" platformId={props.platformId} files={cr.evidenceManifest} />,
                  ],
                  cr.decidedAt && [
                    t('ops.decidedAt'),
                    `${formatInstant(cr.decidedAt)} · ${cr.decidedBy ?? ''}`,
                  ],
                  cr.opinion !== undefined && [t('ops.opinion'), cr.opinion],
                ]}
              />
              {props.officer && cr.status === 'pending' ? (
                <ChangeDecisionForm
                  cr={cr}
                  onDone={(approved) => {
                    props.onDecided(t(approved ? 'ops.change.approved' : 'ops.change.rejected'));
                    list.reload();
                  }}
                />
              ) : null}
            </article>
          ))
        ) : (
          <p>{t('ops.change.none')}</p>
        )}
      </Loading>
    </Section>
  );
}

function ChangeDecisionForm({ cr, onDone }: { cr: ChangeRequest; onDone: (approved: boolean) => void }) {
  const [decision, setDecision] = useState<'approve' | 'reject'>('approve');
  const [opinion, setOpinion] = useState('');
  const a = useAction();
  return (
    <form
      aria-label={t('ops.change.decide')}
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await a.run((key) =>
          post(
            `/v1/change-requests/${enc(cr.id)}/decision`,
            { decision, opinion, version: cr.version },
            { idempotencyKey: key },
          ),
        );
        if (r) onDone(decision === 'approve');
      }}
    >
      <RadioGroup
        legend={t('ops.change.decide')}
        name={`cr-${cr.id}-decision`}
        options={['approve', 'reject'] as const}
        value={decision}
        onChange={setDecision}
        optionLabel={(v) => t(`ops.change.${v}`)}
      />
      <TextAreaField
        required
        id={`cr-${cr.id}-opinion`}
        label={t('ops.opinion')}
        value={opinion}
        onInput={setOpinion}
        error={fieldError(a.problem, 'opinion')}
      />
      <ProblemBox problem={a.problem} />
      <button type="submit" disabled={a.busy}>
        {t('ops.change.submit')}
      </button>
    </form>
  );
}

const valueText = (v: unknown): string =>
  Array.isArray(v) ? v.map(String).join('、') : v === undefined || v === null ? '—' : String(v);

function History({ platformId, version }: { platformId: string; version: number }) {
  const list = useLoad(
    () => allPages<HistoryEntry>(`/v1/platforms/${enc(platformId)}/history`),
    [platformId, version],
  );
  const rows = list.data ?? [];
  return (
    <Section title={t('ops.history.title')}>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        {rows.length ? (
          <TableScroll label={t('ops.history.title')}>
            <table aria-label={t('ops.history.title')}>
              <thead>
                <tr>
                  <th scope="col">{t('ops.history.at')}</th>
                  <th scope="col">{t('ops.history.kind')}</th>
                  <th scope="col">{t('ops.change.current')}</th>
                  <th scope="col">{t('ops.history.next')}</th>
                  <th scope="col">{t('ops.history.actor')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((h) => (
                  <tr key={`${h.at}-${h.kind}`}>
                    <td>{formatInstant(h.at)}</td>
                    <td>{t(`ops.change.kind.${h.kind}`)}</td>
                    <td>
                      {Object.entries(h.previous).map(([k, v]) => (
                        <div key={k}>{valueText(v)}</div>
                      ))}
                    </td>
                    <td>
                      {Object.entries(h.next).map(([k, v]) => (
                        <div key={k}>{valueText(v)}</div>
                      ))}
                    </td>
                    <td>{h.actor}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : (
          <p>{t('ops.history.none')}</p>
        )}
      </Loading>
    </Section>
  );
}

/** Download buttons: each asks the API for a 5-minute link (every download is audited), then opens it. */
export function Downloads({
  platformId,
  files,
}: {
  platformId: string;
  files: readonly { evidenceId: string; fileName?: string }[];
}) {
  const [problem, setProblem] = useState<unknown>();
  const download = async (evidenceId: string) => {
    setProblem(undefined);
    try {
      const { url } = await get<{ url: string }>(
        `/v1/platforms/${enc(platformId)}/evidence/${enc(evidenceId)}/download`,
      );
      window.open(url, '_blank', 'noopener');
    } catch (e) {
      setProblem(e);
    }
  };
  return (
    <>
      <ul class="plain-list">
        {files.map((f) => (
          <li key={f.evidenceId}>
            <button
              type="button"
              class="link"
              aria-label={t('staff.evidence.download', { name: f.fileName ?? f.evidenceId })}
              onClick={() => download(f.evidenceId)}
            >
              ⬇ {f.fileName ?? f.evidenceId}
            </button>
          </li>
        ))}
      </ul>
      <ProblemBox problem={problem} />
    </>
  );
}

function EvidenceSection({ platformId, officer }: { platformId: string; officer: boolean }) {
  const list = useLoad(
    () => get<{ items: PlatformEvidence[] }>(`/v1/platforms/${enc(platformId)}/evidence`),
    [platformId],
  );
  const items = list.data?.items ?? [];
  const noConsent = list.problem instanceof ApiProblem && list.problem.code === 'NO_SHARING_CONSENT';
  return (
    <Section title={t('ops.evidence.title')}>
      {noConsent ? <p>{t('ops.evidence.noConsent')}</p> : <ProblemBox problem={list.problem} />}
      <Loading when={list.loading && !list.data}>
        {items.length ? (
          <DataTable
            label={t('ops.evidence.title')}
            rows={items}
            rowKey={(ev) => ev.evidenceId}
            columns={[
              { header: t('staff.evidence.kind'), cell: (ev) => <code>{ev.kind}</code> },
              {
                header: t('staff.evidence.file'),
                cell: (ev) =>
                  ev.status === 'verified' ? <Downloads platformId={platformId} files={[ev]} /> : ev.fileName,
              },
              { header: t('staff.evidence.size'), cell: (ev) => `${(ev.sizeBytes / 1024).toFixed(1)} KiB` },
              { header: t('common.status'), cell: (ev) => <Status value={ev.status} /> },
              {
                header: t('ops.evidence.by'),
                cell: (ev) => `${formatInstant(ev.createdAt)} · ${ev.createdBy}`,
              },
            ]}
          />
        ) : noConsent ? null : (
          <p>{t('common.none')}</p>
        )}
      </Loading>
      {officer ? <GroundUpload platformId={platformId} onUploaded={list.reload} /> : null}
    </Section>
  );
}

/**
 * An officer's evidence for a revocation ground (Art. 13): declared, sent straight to storage with the
 * presigned POST (progress shown), then checked by the server; it can then be attached to a case.
 */
function GroundUpload({ platformId, onUploaded }: { platformId: string; onUploaded: () => void }) {
  const [progress, setProgress] = useState<number>();
  const [done, setDone] = useState('');
  const a = useAction();
  return (
    <div class="field">
      <label for="ground-evidence">{t('ops.evidence.upload')}</label>
      <input
        id="ground-evidence"
        type="file"
        accept="application/pdf,image/png,image/jpeg"
        aria-describedby="ground-evidence-hint"
        disabled={a.busy}
        onChange={async (e) => {
          const input = e.target as HTMLInputElement;
          const file = input.files?.[0];
          if (!file) return;
          setDone('');
          setProgress(0);
          const ok = await a.run(async (key) => {
            const ticket = await post<{
              evidenceId: string;
              upload: { url: string; fields: Record<string, string> };
            }>(
              `/v1/platforms/${enc(platformId)}/evidence`,
              {
                kind: 'revocation_ground',
                fileName: file.name,
                contentType: file.type || 'application/pdf',
                sizeBytes: file.size,
                sha256: await sha256Hex(file),
              },
              { idempotencyKey: key },
            );
            await uploadWithProgress(ticket.upload, file, file.name, setProgress);
            return post(`/v1/platforms/${enc(platformId)}/evidence/${enc(ticket.evidenceId)}/confirm`);
          });
          input.value = '';
          if (ok) {
            setDone(t('ops.evidence.uploaded', { name: file.name }));
            onUploaded();
          }
        }}
      />
      <small id="ground-evidence-hint">{t('ops.evidence.uploadHint')}</small>
      {progress !== undefined ? (
        <progress max={100} value={Math.round(progress * 100)} aria-label={t('ops.evidence.progress')} />
      ) : null}
      <Notice text={done} />
      <ProblemBox problem={a.problem} />
    </div>
  );
}

function AdvanceNotices({ platformId }: { platformId: string }) {
  const list = useLoad(
    () => get<{ items: AdvanceNotice[] }>(`/v1/platforms/${enc(platformId)}/notifications`),
    [platformId],
  );
  const items = list.data?.items ?? [];
  return (
    <Section title={t('ops.advance.title')}>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        {items.length ? (
          <ul>
            {items.map((n) => (
              <li key={n.id}>
                <strong>{t(`ops.advance.${n.kind}`)}</strong> · {t('ops.advance.effective')} {n.effectiveDate}{' '}
                — {n.description} <span class="ops-muted">({formatInstant(n.filedAt)})</span>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('common.none')}</p>
        )}
      </Loading>
    </Section>
  );
}

function Consents({ platformId }: { platformId: string }) {
  const list = useLoad(
    () => get<{ items: Consent[] }>(`/v1/platforms/${enc(platformId)}/sharing-consents`),
    [platformId],
  );
  const items = list.data?.items ?? [];
  return (
    <Section title={t('ops.consents.title')}>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        {items.length ? (
          <ul>
            {items.map((c) => (
              <li key={c.id}>
                {c.dataOwner}: {c.scope.map((x) => t(`ops.scope.${x}`)).join('、')} ·{' '}
                {t('ops.consents.until', { date: c.validUntil })}
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('common.none')}</p>
        )}
      </Loading>
    </Section>
  );
}

function Catalogue(props: { platformId: string; officer: boolean; onChanged: (text: string) => void }) {
  const data = useLoad(async () => {
    const [services, cases] = await Promise.all([
      allPages<Service>(`/v1/platforms/${enc(props.platformId)}/services`),
      allPages<Case>(`/v1/platforms/${enc(props.platformId)}/cases`),
    ]);
    return { services, cases };
  }, [props.platformId]);
  const changed = (text: string) => {
    props.onChanged(text);
    data.reload();
  };
  const base = `/v1/platforms/${enc(props.platformId)}`;
  return (
    <Section title={t('ops.catalogue.title')}>
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading && !data.data}>
        <h3>{t('ops.catalogue.services')}</h3>
        {data.data?.services.length ? (
          <DataTable
            label={t('ops.catalogue.services')}
            rows={data.data.services}
            rowKey={(sv) => sv.serviceId}
            columns={[
              {
                header: t('ops.catalogue.name'),
                cell: (sv) => (
                  <>
                    {sv.name}
                    <div class="ops-muted ops-small">{sv.provider}</div>
                  </>
                ),
              },
              { header: t('ops.catalogue.category'), cell: (sv) => t(`ops.category.${sv.category}`) },
              {
                header: t('ops.catalogue.price'),
                cell: (sv) => (
                  <>
                    {formatCny(sv.priceRangeCny.min)} – {formatCny(sv.priceRangeCny.max)} / {sv.unit}
                    {sv.available ? null : <div>{t('ops.catalogue.unavailable')}</div>}
                  </>
                ),
              },
              {
                header: t('ops.catalogue.visibility'),
                cell: (sv) => (
                  <Visibility
                    name={sv.name}
                    hidden={sv.hidden}
                    officer={props.officer}
                    path={`${base}/services/${enc(sv.serviceId)}/visibility`}
                    version={sv.version}
                    onDone={changed}
                  />
                ),
              },
            ]}
          />
        ) : (
          <p>{t('common.none')}</p>
        )}
        <h3>{t('ops.catalogue.cases')}</h3>
        {data.data?.cases.length ? (
          <DataTable
            label={t('ops.catalogue.cases')}
            rows={data.data.cases}
            rowKey={(c) => c.caseId}
            columns={[
              { header: t('ops.catalogue.caseTitle'), cell: (c) => c.title },
              {
                header: t('ops.catalogue.sector'),
                cell: (c) => `${c.sector} · ${t(`ops.customer.${c.customerType}`)}`,
              },
              { header: t('ops.catalogue.outcome'), cell: (c) => c.outcome },
              {
                header: t('ops.catalogue.visibility'),
                cell: (c) => (
                  <Visibility
                    name={c.title}
                    hidden={c.hidden}
                    officer={props.officer}
                    path={`${base}/cases/${enc(c.caseId)}/visibility`}
                    version={c.version}
                    onDone={changed}
                  />
                ),
              },
            ]}
          />
        ) : (
          <p>{t('common.none')}</p>
        )}
      </Loading>
    </Section>
  );
}

/** Shown / hidden from the public showcase; an officer hides with a reason (told to the host) or shows again. */
function Visibility(props: {
  name: string;
  hidden: Hidden | undefined;
  officer: boolean;
  path: string;
  version: number;
  onDone: (text: string) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const a = useAction();
  const id = `hide-${props.path.replace(/[^a-zA-Z0-9]+/g, '-')}`;
  const send = async (hidden: boolean) => {
    const r = await a.run(() =>
      post(
        props.path,
        hidden ? { hidden, reason, version: props.version } : { hidden, version: props.version },
      ),
    );
    if (r) {
      setAsking(false);
      setReason('');
      props.onDone(t(hidden ? 'ops.catalogue.hiddenDone' : 'ops.catalogue.shownDone', { name: props.name }));
    }
  };
  return (
    <div>
      {props.hidden ? (
        <>
          <strong>{t('ops.catalogue.hidden')}</strong>
          <div class="ops-small">
            {props.hidden.reason} ({props.hidden.by}, {formatInstant(props.hidden.at)})
          </div>
        </>
      ) : (
        <span>{t('ops.catalogue.visible')}</span>
      )}
      {props.officer ? (
        props.hidden ? (
          <div>
            <button
              type="button"
              class="secondary"
              disabled={a.busy}
              aria-label={t('ops.catalogue.showNamed', { name: props.name })}
              onClick={() => send(false)}
            >
              {t('ops.catalogue.show')}
            </button>
          </div>
        ) : asking ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void send(true);
            }}
          >
            <Field
              id={id}
              label={t('ops.catalogue.reason', { name: props.name })}
              value={reason}
              onInput={setReason}
              required
              error={fieldError(a.problem, 'reason')}
            />
            <button type="submit" class="danger" disabled={a.busy}>
              {t('ops.catalogue.hideConfirm')}
            </button>{' '}
            <button type="button" class="secondary" onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </button>
          </form>
        ) : (
          <div>
            <button
              type="button"
              class="secondary"
              aria-label={t('ops.catalogue.hideNamed', { name: props.name })}
              onClick={() => setAsking(true)}
            >
              {t('ops.catalogue.hide')}
            </button>
          </div>
        )
      ) : null}
      <ProblemBox problem={a.problem} />
    </div>
  );
}

/** Today + n days as YYYY-MM-DD in Beijing time (the response deadline's default). */
const shanghaiDatePlus = (days: number): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
    new Date(Date.now() + days * 86_400_000),
  );

/** Open revocation cases of this platform and, for an officer, the form to open one (Art. 13). */
function Revocation({ p, officer }: { p: Platform; officer: boolean }) {
  const open = useLoad(async () => {
    const [a, b] = await Promise.all([
      allPages<RevocationHead>('/v1/revocations?status=awaiting_response'),
      allPages<RevocationHead>('/v1/revocations?status=responded'),
    ]);
    return [...a, ...b].filter((r) => r.platformId === p.id);
  }, [p.id]);
  const preset = hashParam('ground');
  const [showForm, setShowForm] = useState(Boolean(preset));
  const cases = open.data ?? [];
  return (
    <Section title={t('ops.revoke.title')}>
      <ProblemBox problem={open.problem} />
      {cases.length ? (
        <ul>
          {cases.map((r) => (
            <li key={r.id}>
              <a href={`#/staff/revocations/${enc(r.id)}`}>
                {t('ops.revoke.case', { ground: t(`ops.ground.${r.ground}`) })}
              </a>{' '}
              <Status value={r.status} /> · {t('ops.revoke.deadline')} {formatInstant(r.responseDeadline)}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('ops.revoke.noOpen')}</p>
      )}
      {officer && p.status === 'active' && open.data && !cases.length ? (
        showForm ? (
          <OpenCaseForm platformId={p.id} preset={preset} />
        ) : (
          <button type="button" class="danger" onClick={() => setShowForm(true)}>
            {t('ops.revoke.start')}
          </button>
        )
      ) : null}
    </Section>
  );
}

function OpenCaseForm({ platformId, preset }: { platformId: string; preset: string | undefined }) {
  const [ground, setGround] = useState<string>(
    preset && (REVOCATION_GROUNDS as readonly string[]).includes(preset) ? preset : 'serious_violation',
  );
  const [description, setDescription] = useState('');
  const [deadline, setDeadline] = useState(shanghaiDatePlus(15));
  const [chosen, setChosen] = useState<string[]>([]);
  const evidence = useLoad(
    () => get<{ items: PlatformEvidence[] }>(`/v1/platforms/${enc(platformId)}/evidence`),
    [platformId],
  );
  const verified = (evidence.data?.items ?? []).filter((e) => e.status === 'verified');
  const a = useAction();
  return (
    <form
      aria-label={t('ops.revoke.form')}
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await a.run((key) =>
          post<{ id: string }>(
            `/v1/platforms/${enc(platformId)}/revocations`,
            {
              ground,
              description,
              responseDeadline: deadline,
              ...(chosen.length ? { evidenceIds: chosen } : {}),
            },
            { idempotencyKey: key },
          ),
        );
        if (r) navigate(`/staff/revocations/${enc(r.id)}`);
      }}
    >
      <h3>{t('ops.revoke.form')}</h3>
      <SelectField<string>
        id="revoke-ground"
        label={t('ops.revoke.ground')}
        value={ground}
        onChange={setGround}
        options={REVOCATION_GROUNDS}
        optionLabel={(g) => t(`ops.ground.${g}`)}
        hint={t(`ops.groundHint.${ground}`)}
      />
      <TextAreaField
        required
        id="revoke-description"
        label={t('ops.revoke.description')}
        value={description}
        onInput={setDescription}
        error={fieldError(a.problem, 'description')}
      />
      <Field
        id="revoke-deadline"
        type="date"
        label={t('ops.revoke.deadline')}
        hint={t('ops.revoke.deadlineHint')}
        value={deadline}
        onInput={setDeadline}
        required
        error={fieldError(a.problem, 'responseDeadline')}
      />
      <fieldset>
        <legend>{t('ops.revoke.evidence')}</legend>
        {verified.length ? (
          verified.map((ev) => (
            <label key={ev.evidenceId} class="choice">
              <input
                type="checkbox"
                checked={chosen.includes(ev.evidenceId)}
                onChange={(e) =>
                  setChosen((c) =>
                    (e.target as HTMLInputElement).checked
                      ? [...c, ev.evidenceId]
                      : c.filter((x) => x !== ev.evidenceId),
                  )
                }
              />{' '}
              {ev.fileName} <code>{ev.kind}</code>
            </label>
          ))
        ) : (
          <p>{t('ops.revoke.noEvidence')}</p>
        )}
      </fieldset>
      <ProblemBox problem={a.problem} />
      <button type="submit" class="danger" disabled={a.busy}>
        {t('ops.revoke.submit')}
      </button>
    </form>
  );
}
