import { useState } from 'preact/hooks';
import { ApiProblem, get, newIdempotencyKey, post, put } from '../api.ts';
import { addMessages, formatInstant, t, useLang } from '../i18n.ts';
import { Field, fieldError, Loading, ProblemBox, Section, useLoad } from '../ui.tsx';
import { Status } from './AppStatus.tsx';
import './messages.ts';
import type { PageOf } from './model.ts';

/**
 * `#/apply/platforms/:platformId`: after recognition the applicant is the platform's host. Art. 10
 * change requests (the office decides) and the Art. 12 self-evaluation report of a year (a draft until
 * submitted, before the cycle's deadline). The server enforces membership, deadlines and states.
 */
addMessages(
  {
    'applicant.platform.title': '我的平台',
    'applicant.platform.validUntil': '有效期至',
    'applicant.platform.link': '平台运营（变更申请、年度自评）',
    'applicant.change.title': '变更申请（第十条）',
    'applicant.change.kind': '变更事项',
    'applicant.change.kind.service_content': '服务内容',
    'applicant.change.kind.target_tasks': '目标任务',
    'applicant.change.kind.host_organisation': '建设主体',
    'applicant.change.description': '变更内容及理由',
    'applicant.change.proposed.lines': '变更后的内容（每行一项）',
    'applicant.change.proposed.orgId': '新建设主体的单位编号',
    'applicant.change.submit': '提交变更申请',
    'applicant.change.done': '变更申请已提交，等待产业办审核。',
    'applicant.change.list': '已提交的变更申请',
    'applicant.change.opinion': '审核意见',
    'applicant.report.title': '年度自评报告（第十二条）',
    'applicant.report.year': '年度',
    'applicant.report.load': '查看该年度',
    'applicant.report.none': '该年度尚未开展评价，或本平台不在评价范围内。',
    'applicant.report.deadline': '报告截止时间',
    'applicant.report.enterprisesServed': '服务企业数',
    'applicant.report.partnerCount': '合作机构数',
    'applicant.report.cases': '应用案例数',
    'applicant.report.vouchersIssued': '发放算力券数',
    'applicant.report.vouchersSettled': '结算算力券数',
    'applicant.report.narrative': '自评说明',
    'applicant.report.save': '保存草稿',
    'applicant.report.saved': '自评报告草稿已保存。',
    'applicant.report.submit': '提交自评报告',
    'applicant.report.submitted': '自评报告已提交。',
    'applicant.report.grade': '评价等级',
    'applicant.status.approved': '已批准',
    'applicant.status.awaiting_report': '待提交报告',
    'applicant.status.report_submitted': '报告已提交',
    'applicant.status.graded': '已评分',
    'applicant.status.published': '已公布',
    'applicant.status.overdue': '逾期未提交',
    'applicant.status.not_graded': '不予评价',
    'applicant.status.active': '有效',
    'applicant.status.expired': '已到期',
    'applicant.status.revoked': '已撤销',
    'applicant.grade.excellent': '优秀',
    'applicant.grade.good': '良好',
    'applicant.grade.qualified': '合格',
    'applicant.grade.unqualified': '不合格',
  },
  {
    'applicant.platform.title': 'My platform',
    'applicant.platform.validUntil': 'Valid until',
    'applicant.platform.link': 'Platform operations (changes, self-evaluation)',
    'applicant.change.title': 'Change requests (Art. 10)',
    'applicant.change.kind': 'What changes',
    'applicant.change.kind.service_content': 'Service content',
    'applicant.change.kind.target_tasks': 'Target tasks',
    'applicant.change.kind.host_organisation': 'Host organisation',
    'applicant.change.description': 'The change and its reasons',
    'applicant.change.proposed.lines': 'The new content (one item per line)',
    'applicant.change.proposed.orgId': 'Organisation id of the new host',
    'applicant.change.submit': 'Request the change',
    'applicant.change.done': 'The change request is filed; the office decides.',
    'applicant.change.list': 'Change requests filed',
    'applicant.change.opinion': 'Opinion',
    'applicant.report.title': 'Annual self-evaluation report (Art. 12)',
    'applicant.report.year': 'Year',
    'applicant.report.load': 'Show that year',
    'applicant.report.none': 'No evaluation of this platform in that year.',
    'applicant.report.deadline': 'Report deadline',
    'applicant.report.enterprisesServed': 'Enterprises served',
    'applicant.report.partnerCount': 'Partner institutions',
    'applicant.report.cases': 'Application cases',
    'applicant.report.vouchersIssued': 'Compute vouchers issued',
    'applicant.report.vouchersSettled': 'Compute vouchers settled',
    'applicant.report.narrative': 'Self-assessment',
    'applicant.report.save': 'Save draft',
    'applicant.report.saved': 'The draft report is saved.',
    'applicant.report.submit': 'Submit the report',
    'applicant.report.submitted': 'The report is submitted.',
    'applicant.report.grade': 'Grade',
    'applicant.status.approved': 'Approved',
    'applicant.status.awaiting_report': 'Awaiting the report',
    'applicant.status.report_submitted': 'Report submitted',
    'applicant.status.graded': 'Graded',
    'applicant.status.published': 'Published',
    'applicant.status.overdue': 'Overdue',
    'applicant.status.not_graded': 'Not graded',
    'applicant.status.active': 'Active',
    'applicant.status.expired': 'Expired',
    'applicant.status.revoked': 'Revoked',
    'applicant.grade.excellent': 'Excellent',
    'applicant.grade.good': 'Good',
    'applicant.grade.qualified': 'Qualified',
    'applicant.grade.unqualified': 'Unqualified',
  },
);

interface Platform {
  id: string;
  hostName: string;
  status: string;
  validUntil: string;
  recognisedAt: string;
}

interface ChangeRequest {
  id: string;
  kind: string;
  description: string;
  status: string;
  createdAt: string;
  opinion?: string;
}

const REPORT_FIELDS = [
  'enterprisesServed',
  'partnerCount',
  'cases',
  'vouchersIssued',
  'vouchersSettled',
] as const;
type ReportCounts = Record<(typeof REPORT_FIELDS)[number], string>;

interface Evaluation {
  status: string;
  reportDeadline: string;
  report?: Record<(typeof REPORT_FIELDS)[number], number> & { narrative: string };
  reportSubmittedAt?: string;
  grade?: string;
  version?: number;
}

export function PlatformPage({ params }: { params: Record<string, string> }) {
  useLang();
  const id = params.platformId ?? '';
  const platform = useLoad(() => get<Platform>(`/v1/platforms/${id}`), [id]);
  return (
    <main id="main" class="applicant">
      <h1>
        {t('applicant.platform.title')} {platform.data ? <Status value={platform.data.status} /> : null}
      </h1>
      <ProblemBox problem={platform.problem} />
      <Loading when={platform.loading}>
        {platform.data ? (
          <p>
            <strong>{platform.data.hostName}</strong> · {t('applicant.platform.validUntil')}{' '}
            {platform.data.validUntil}
          </p>
        ) : null}
      </Loading>
      <ChangeRequests platformId={id} />
      <SelfEvaluation platformId={id} />
    </main>
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
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const lines = proposed
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setDone('');
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
        },
        { idempotencyKey: key },
      );
      setDone(t('applicant.change.done'));
      setDescription('');
      setProposed('');
      setKey(newIdempotencyKey());
      list.reload();
    } catch (err) {
      setProblem(err);
    }
  };
  return (
    <Section title={t('applicant.change.title')}>
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="change-kind">{t('applicant.change.kind')}</label>
          <select
            id="change-kind"
            value={kind}
            onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}
          >
            {(['service_content', 'target_tasks', 'host_organisation'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`applicant.change.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
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
        <ProblemBox problem={problem} />
        <p role="status">{done}</p>
        <button type="submit">{t('applicant.change.submit')}</button>
      </form>
      <h3>{t('applicant.change.list')}</h3>
      <ProblemBox problem={list.problem} />
      {list.data?.items.length ? (
        <ul class="change-requests">
          {list.data.items.map((c) => (
            <li key={c.id}>
              <time dateTime={c.createdAt}>{formatInstant(c.createdAt)}</time>{' '}
              {t(`applicant.change.kind.${c.kind}`)} · {c.description} · <Status value={c.status} />
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

function SelfEvaluation({ platformId }: { platformId: string }) {
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [shownYear, setShownYear] = useState(year);
  const evaluation = useLoad(
    () =>
      get<Evaluation>(`/v1/evaluation-cycles/${shownYear}/platforms/${platformId}`).catch((e: unknown) => {
        if (e instanceof ApiProblem && e.status === 404) return undefined;
        throw e;
      }),
    [shownYear, platformId],
  );
  return (
    <Section title={t('applicant.report.title')}>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setShownYear(year);
        }}
      >
        <Field
          id="report-year"
          label={t('applicant.report.year')}
          type="number"
          value={year}
          onInput={setYear}
        />
        <button type="submit" class="secondary">
          {t('applicant.report.load')}
        </button>
      </form>
      <ProblemBox problem={evaluation.problem} />
      <Loading when={evaluation.loading}>
        {evaluation.data ? (
          <ReportForm
            key={`${shownYear}-${evaluation.data.version ?? 0}-${evaluation.data.status}`}
            year={shownYear}
            platformId={platformId}
            evaluation={evaluation.data}
            reload={evaluation.reload}
          />
        ) : evaluation.problem ? null : (
          <p>{t('applicant.report.none')}</p>
        )}
      </Loading>
    </Section>
  );
}

function ReportForm(props: { year: string; platformId: string; evaluation: Evaluation; reload: () => void }) {
  const ev = props.evaluation;
  const [counts, setCounts] = useState<ReportCounts>(
    () =>
      Object.fromEntries(
        REPORT_FIELDS.map((f) => [f, ev.report ? String(ev.report[f]) : '']),
      ) as ReportCounts,
  );
  const [narrative, setNarrative] = useState(ev.report?.narrative ?? '');
  const [problem, setProblem] = useState<unknown>();
  const [message, setMessage] = useState('');
  const editable = ev.status === 'awaiting_report';
  const base = `/v1/evaluation-cycles/${props.year}/platforms/${props.platformId}/report`;
  const body = () => ({
    ...Object.fromEntries(REPORT_FIELDS.map((f) => [f, Number(counts[f] || 0)])),
    narrative,
  });
  const act = (fn: () => Promise<string>) => async () => {
    setProblem(undefined);
    try {
      setMessage(await fn());
      props.reload();
    } catch (err) {
      setProblem(err);
    }
  };
  return (
    <div>
      <p>
        <Status value={ev.status} /> · {t('applicant.report.deadline')} {formatInstant(ev.reportDeadline)}
        {ev.grade ? ` · ${t('applicant.report.grade')}: ${t(`applicant.grade.${ev.grade}`)}` : null}
      </p>
      <fieldset disabled={!editable}>
        {REPORT_FIELDS.map((f) => (
          <Field
            key={f}
            id={`report-${f}`}
            label={t(`applicant.report.${f}`)}
            type="number"
            value={counts[f]}
            onInput={(v) => setCounts((c) => ({ ...c, [f]: v }))}
            error={fieldError(problem, f)}
          />
        ))}
        <div class="field">
          <label for="report-narrative">{t('applicant.report.narrative')}</label>
          <textarea
            id="report-narrative"
            rows={5}
            value={narrative}
            onInput={(e) => setNarrative((e.target as HTMLTextAreaElement).value)}
          />
        </div>
      </fieldset>
      <ProblemBox problem={problem} />
      <p role="status">{message}</p>
      {editable ? (
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={act(async () => {
              await put(base, body());
              return t('applicant.report.saved');
            })}
          >
            {t('applicant.report.save')}
          </button>
          <button
            type="button"
            onClick={act(async () => {
              await put(base, body());
              await post(`${base}/submit`);
              return t('applicant.report.submitted');
            })}
          >
            {t('applicant.report.submit')}
          </button>
        </div>
      ) : null}
    </div>
  );
}
