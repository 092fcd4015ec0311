import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, allPages, get, post, put } from '../../api.ts';
import { addMessages, formatInstant, t } from '../../i18n.ts';
import { Field, fieldError, Loading, ProblemBox, Section, useLoad, useRun } from '../../ui.tsx';
import { Status } from '../AppStatus.tsx';
import '../messages.ts';
import type { Notification, Task } from '../model.ts';
import { EvidenceAttach } from '../PlatformEvidence.tsx';

/**
 * The Art. 12 self-evaluation report of a year: a draft until submitted, before the cycle's deadline,
 * with verified evidence (`…/report/evidence` + confirm, ids in the report's `evidenceIds`). The year
 * shown first is the one of the platform's open cycle (its pending report task, else the newest
 * report request it was sent), not the browser's clock.
 */
addMessages(
  {
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
    'applicant.report.evidence': '自评报告证明材料',
    'applicant.report.evidenceKept': '报告已引用的材料：{n} 个',
    'applicant.report.ledger': '算力券台账显示本年度服务企业 {n} 家（承诺 {c} 家）。',
    'applicant.status.awaiting_report': '待提交报告',
    'applicant.status.report_submitted': '报告已提交',
    'applicant.status.graded': '已评分',
    'applicant.status.published': '已公布',
    'applicant.status.overdue': '逾期未提交',
    'applicant.status.not_graded': '不予评价',
    'applicant.grade.excellent': '优秀',
    'applicant.grade.good': '良好',
    'applicant.grade.qualified': '合格',
    'applicant.grade.unqualified': '不合格',
  },
  {
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
    'applicant.report.evidence': 'evidence for the self-evaluation report',
    'applicant.report.evidenceKept': 'Evidence the report already cites: {n}',
    'applicant.report.ledger': 'The voucher ledger shows {n} enterprises served this year (committed: {c}).',
    'applicant.status.awaiting_report': 'Awaiting the report',
    'applicant.status.report_submitted': 'Report submitted',
    'applicant.status.graded': 'Graded',
    'applicant.status.published': 'Published',
    'applicant.status.overdue': 'Overdue',
    'applicant.status.not_graded': 'Not graded',
    'applicant.grade.excellent': 'Excellent',
    'applicant.grade.good': 'Good',
    'applicant.grade.qualified': 'Qualified',
    'applicant.grade.unqualified': 'Unqualified',
  },
);

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
  report?: Record<(typeof REPORT_FIELDS)[number], number> & { narrative: string; evidenceIds: string[] };
  reportSubmittedAt?: string;
  grade?: string;
  version?: number;
  ledgerFigures?: { enterprisesServed: number; committedEnterprises: number; meetsCommitment: boolean };
}

/** The year of the platform's open evaluation cycle, as the host can learn it; else the Shanghai year. */
export async function openCycleYear(platformId: string): Promise<string> {
  const fromId = (id: string) => /^e-(\d{4})-/.exec(id)?.[1];
  const tasks = await get<{ items: Task[] }>('/v1/tasks?limit=100').catch(() => ({ items: [] as Task[] }));
  const task = tasks.items.find(
    (x) => x.kind === 'evaluation_report' && x.entityId.endsWith(`-${platformId}`),
  );
  const fromTask = task ? fromId(task.entityId) : undefined;
  if (fromTask) return fromTask;
  const notes = await allPages<Notification>('/v1/notifications', 300).catch(() => [] as Notification[]);
  const years = notes
    .filter((n) => n.entityType === 'evaluation' && n.detail?.platformId === platformId)
    .map((n) => Number(n.detail?.year))
    .filter((y) => Number.isInteger(y));
  if (years.length) return String(Math.max(...years));
  return new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(new Date());
}

export function SelfEvaluation({ platformId }: { platformId: string }) {
  const [year, setYear] = useState('');
  const [shownYear, setShownYear] = useState('');
  useEffect(() => {
    let alive = true;
    openCycleYear(platformId).then((y) => {
      if (!alive) return;
      setYear(y);
      setShownYear(y);
    });
    return () => {
      alive = false;
    };
  }, [platformId]);
  const evaluation = useLoad(
    () =>
      shownYear
        ? get<Evaluation>(`/v1/evaluation-cycles/${shownYear}/platforms/${platformId}`).catch(
            (e: unknown) => {
              if (e instanceof ApiProblem && e.status === 404) return undefined;
              throw e;
            },
          )
        : new Promise<undefined>(() => undefined),
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
  const [newIds, setNewIds] = useState<string[]>([]);
  const { problem, busy, run } = useRun();
  const [message, setMessage] = useState('');
  const editable = ev.status === 'awaiting_report';
  const base = `/v1/evaluation-cycles/${props.year}/platforms/${props.platformId}/report`;
  const kept = ev.report?.evidenceIds ?? [];
  const body = () => {
    const evidenceIds = [...new Set([...kept, ...newIds])];
    return {
      ...Object.fromEntries(REPORT_FIELDS.map((f) => [f, Number(counts[f] || 0)])),
      narrative,
      ...(evidenceIds.length ? { evidenceIds } : {}),
    };
  };
  const act = (fn: () => Promise<string>) => () =>
    run(async () => {
      setMessage(await fn());
      props.reload();
    });
  return (
    <div>
      <p>
        <Status value={ev.status} /> · {t('applicant.report.deadline')} {formatInstant(ev.reportDeadline)}
        {ev.grade ? ` · ${t('applicant.report.grade')}: ${t(`applicant.grade.${ev.grade}`)}` : null}
      </p>
      {ev.ledgerFigures ? (
        <p>
          {t('applicant.report.ledger', {
            n: ev.ledgerFigures.enterprisesServed,
            c: ev.ledgerFigures.committedEnterprises,
          })}
        </p>
      ) : null}
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
            aria-invalid={fieldError(problem, 'narrative') ? 'true' : undefined}
            onInput={(e) => setNarrative((e.target as HTMLTextAreaElement).value)}
          />
        </div>
      </fieldset>
      {kept.length ? <p>{t('applicant.report.evidenceKept', { n: kept.length })}</p> : null}
      {editable ? (
        <EvidenceAttach
          id="report-evidence"
          label={t('applicant.report.evidence')}
          kind="self_evaluation"
          createPath={`${base}/evidence`}
          confirmPath={(id) => `${base}/evidence/${id}/confirm`}
          onIds={setNewIds}
        />
      ) : null}
      <ProblemBox problem={problem} />
      <p role="status">{message}</p>
      {editable ? (
        <div class="actions">
          <button
            type="button"
            class="secondary"
            disabled={busy}
            onClick={act(async () => {
              await put(base, body());
              return t('applicant.report.saved');
            })}
          >
            {t('applicant.report.save')}
          </button>
          <button
            type="button"
            disabled={busy}
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
