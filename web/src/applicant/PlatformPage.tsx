import { useState } from 'preact/hooks';
import { get, newIdempotencyKey, type PageOf, post } from '../api.ts';
import { addMessages, formatInstant, t, useLang } from '../i18n.ts';
import { Field, fieldError, Loading, ProblemBox, Section, SelectField, useLoad } from '../ui.tsx';
import { Status } from './AppStatus.tsx';
import './messages.ts';
import { ApplicantNav } from './Notifications.tsx';
import { EvidenceAttach } from './PlatformEvidence.tsx';
import { CaseLibrary, ServiceCatalogue } from './platform/Catalogue.tsx';
import { AdvanceNotices, SharingConsents } from './platform/Operations.tsx';
import { SelfEvaluation } from './platform/Report.tsx';
import { RevocationSummary } from './platform/Revocation.tsx';
import { VoucherClaims } from './platform/Vouchers.tsx';

/**
 * `#/apply/platforms/:platformId`: after recognition the applicant is the platform's host. A revocation
 * case against the platform first (when there is one), then the host's work: Art. 10 change requests
 * with evidence and advance notifications, Art. 11 sharing consents, the Art. 6 catalogue (services and
 * cases), compute voucher claims and redemptions, and the Art. 12 self-evaluation report. The server
 * enforces membership, deadlines and states; its problems are shown as they are.
 */
addMessages(
  {
    'applicant.platform.title': '我的平台',
    'applicant.platform.validUntil': '有效期至',
    'applicant.platform.recognisedAt': '认定时间',
    'applicant.platform.host': '建设主体',
    'applicant.platform.capabilities': '平台能力',
    'applicant.platform.link': '平台运营（变更申请、年度自评）',
    'applicant.platform.contents': '本页内容',
    'applicant.change.title': '变更申请（第十条）',
    'applicant.change.kind': '变更事项',
    'applicant.change.kind.service_content': '服务内容',
    'applicant.change.kind.target_tasks': '目标任务',
    'applicant.change.kind.host_organisation': '建设主体',
    'applicant.change.description': '变更内容及理由',
    'applicant.change.proposed.lines': '变更后的内容（每行一项）',
    'applicant.change.proposed.orgId': '新建设主体的单位编号',
    'applicant.change.evidence': '变更申请证明材料',
    'applicant.change.submit': '提交变更申请',
    'applicant.change.done': '变更申请已提交，等待产业办审核。',
    'applicant.change.list': '已提交的变更申请',
    'applicant.change.opinion': '审核意见',
    'applicant.change.files': '材料：{names}',
    'applicant.change.status.pending': '待处理',
    'applicant.change.status.approved': '已批准',
    'applicant.change.status.rejected': '未批准',
    'applicant.status.active': '有效',
    'applicant.status.expired': '已到期',
    'applicant.status.revoked': '已撤销',
  },
  {
    'applicant.platform.title': 'My platform',
    'applicant.platform.validUntil': 'Valid until',
    'applicant.platform.recognisedAt': 'Recognised',
    'applicant.platform.host': 'Host organisation',
    'applicant.platform.capabilities': 'Capabilities',
    'applicant.platform.link': 'Platform operations (changes, self-evaluation)',
    'applicant.platform.contents': 'On this page',
    'applicant.change.title': 'Change requests (Art. 10)',
    'applicant.change.kind': 'What changes',
    'applicant.change.kind.service_content': 'Service content',
    'applicant.change.kind.target_tasks': 'Target tasks',
    'applicant.change.kind.host_organisation': 'Host organisation',
    'applicant.change.description': 'The change and its reasons',
    'applicant.change.proposed.lines': 'The new content (one item per line)',
    'applicant.change.proposed.orgId': 'Organisation id of the new host',
    'applicant.change.evidence': 'evidence for the change request',
    'applicant.change.submit': 'Request the change',
    'applicant.change.done': 'The change request is filed; the office decides.',
    'applicant.change.list': 'Change requests filed',
    'applicant.change.opinion': 'Opinion',
    'applicant.change.files': 'Files: {names}',
    'applicant.change.status.pending': 'Pending',
    'applicant.change.status.approved': 'Approved',
    'applicant.change.status.rejected': 'Rejected',
    'applicant.status.active': 'Active',
    'applicant.status.expired': 'Expired',
    'applicant.status.revoked': 'Revoked',
  },
);

interface Platform {
  id: string;
  hostName: string;
  uscc: string;
  status: string;
  validUntil: string;
  recognisedAt: string;
  capabilities: string[];
}

interface ChangeRequest {
  id: string;
  kind: string;
  description: string;
  status: 'pending' | 'approved' | 'rejected';
  createdAt: string;
  opinion?: string;
  evidenceManifest: { evidenceId: string; fileName: string }[];
}

export function PlatformPage({ params }: { params: Record<string, string> }) {
  useLang();
  const id = params.platformId ?? '';
  const platform = useLoad(() => get<Platform>(`/v1/platforms/${id}`), [id]);
  const p = platform.data;
  return (
    <main id="main" class="applicant">
      <ApplicantNav />
      <h1>
        {t('applicant.platform.title')} {p ? <Status value={p.status} /> : null}
      </h1>
      <ProblemBox problem={platform.problem} />
      <Loading when={platform.loading}>
        {p ? (
          <dl class="facts">
            <dt>{t('applicant.platform.host')}</dt>
            <dd>
              <strong>{p.hostName}</strong> · <code>{p.uscc}</code>
            </dd>
            <dt>{t('applicant.platform.recognisedAt')}</dt>
            <dd>{formatInstant(p.recognisedAt)}</dd>
            <dt>{t('applicant.platform.validUntil')}</dt>
            <dd>{p.validUntil}</dd>
            <dt>{t('applicant.platform.capabilities')}</dt>
            <dd>{p.capabilities.join('、') || '—'}</dd>
          </dl>
        ) : null}
      </Loading>
      {p ? (
        <>
          <Contents />
          <RevocationSummary platformId={id} />
          <ChangeRequests platformId={id} />
          <AdvanceNotices platformId={id} />
          <ServiceCatalogue platformId={id} />
          <CaseLibrary platformId={id} />
          <VoucherClaims platformId={id} />
          <SharingConsents platformId={id} hostName={p.hostName} />
          <SelfEvaluation platformId={id} />
        </>
      ) : null}
    </main>
  );
}

/** The page is long: its parts, each a button that moves the focus to that part's heading. */
const PARTS = [
  'applicant.change.title',
  'applicant.adv.title',
  'applicant.cat.services',
  'applicant.cat.cases',
  'applicant.vch.claims',
  'applicant.vch.redeem',
  'applicant.share.title',
  'applicant.report.title',
] as const;

function Contents() {
  const go = (title: string) => {
    const heading = [...document.querySelectorAll<HTMLElement>('main section > h2')].find(
      (h) => h.textContent === title,
    );
    if (!heading) return;
    heading.tabIndex = -1;
    heading.scrollIntoView({ block: 'start' });
    heading.focus();
  };
  return (
    <nav class="page-contents" aria-label={t('applicant.platform.contents')}>
      <ul>
        {PARTS.map((key) => (
          <li key={key}>
            <button type="button" class="link" onClick={() => go(t(key))}>
              {t(key)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function ChangeRequests({ platformId }: { platformId: string }) {
  const list = useLoad(
    () => get<PageOf<ChangeRequest>>(`/v1/platforms/${platformId}/change-requests`),
    [platformId],
  );
  const [kind, setKind] = useState<'service_content' | 'target_tasks' | 'host_organisation'>(
    'service_content',
  );
  const [description, setDescription] = useState('');
  const [proposed, setProposed] = useState('');
  const [evidenceIds, setEvidenceIds] = useState<string[]>([]);
  const [attachKey, setAttachKey] = useState(0);
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const lines = proposed
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setDone('');
    setBusy(true);
    try {
      await post(
        `/v1/platforms/${platformId}/change-requests`,
        {
          kind,
          description,
          proposed:
            kind === 'service_content'
              ? { services: lines }
              : kind === 'target_tasks'
                ? { tasks: lines }
                : { orgId: proposed.trim() },
          ...(evidenceIds.length ? { evidenceIds } : {}),
        },
        { idempotencyKey: key },
      );
      setDone(t('applicant.change.done'));
      setDescription('');
      setProposed('');
      setAttachKey((k) => k + 1);
      setKey(newIdempotencyKey());
      list.reload();
    } catch (err) {
      setProblem(err);
      setKey(newIdempotencyKey());
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t('applicant.change.title')}>
      <form onSubmit={submit} noValidate>
        <SelectField
          id="change-kind"
          label={t('applicant.change.kind')}
          value={kind}
          onChange={setKind}
          options={['service_content', 'target_tasks', 'host_organisation'] as const}
          optionLabel={(k) => t(`applicant.change.kind.${k}`)}
        />
        <Field
          id="change-description"
          label={t('applicant.change.description')}
          value={description}
          onInput={setDescription}
          required
          error={fieldError(problem, 'description')}
        />
        {kind === 'host_organisation' ? (
          <Field
            id="change-org"
            label={t('applicant.change.proposed.orgId')}
            value={proposed}
            onInput={setProposed}
            error={fieldError(problem, 'proposed.orgId')}
          />
        ) : (
          <div class="field">
            <label for="change-lines">{t('applicant.change.proposed.lines')}</label>
            <textarea
              id="change-lines"
              rows={3}
              value={proposed}
              onInput={(e) => setProposed((e.target as HTMLTextAreaElement).value)}
            />
          </div>
        )}
        <EvidenceAttach
          key={attachKey}
          id="change-evidence"
          label={t('applicant.change.evidence')}
          kind="change_request"
          createPath={`/v1/platforms/${platformId}/evidence`}
          confirmPath={(id) => `/v1/platforms/${platformId}/evidence/${id}/confirm`}
          onIds={setEvidenceIds}
        />
        <ProblemBox problem={problem} />
        <p role="status">{done}</p>
        <button type="submit" disabled={busy}>
          {t('applicant.change.submit')}
        </button>
      </form>
      <h3>{t('applicant.change.list')}</h3>
      <ProblemBox problem={list.problem} />
      {list.data?.items.length ? (
        <ul class="change-requests">
          {list.data.items.map((c) => (
            <li key={c.id} data-change={c.id}>
              <time dateTime={c.createdAt}>{formatInstant(c.createdAt)}</time>{' '}
              {t(`applicant.change.kind.${c.kind}`)} · {c.description} ·{' '}
              <span class={`status status-${c.status}`}>{t(`applicant.change.status.${c.status}`)}</span>
              {c.evidenceManifest.length
                ? ` · ${t('applicant.change.files', { names: c.evidenceManifest.map((m) => m.fileName).join('、') })}`
                : null}
              {c.opinion ? ` · ${t('applicant.change.opinion')}: ${c.opinion}` : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('common.none')}</p>
      )}
    </Section>
  );
}
