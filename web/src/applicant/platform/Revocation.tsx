import { useState } from 'preact/hooks';
import { ApiProblem, allPages, get, post } from '../../api.ts';
import { addMessages, formatInstant, t, useLang } from '../../i18n.ts';
import { fieldError, Loading, ProblemBox, Section, TextAreaField, useLoad, useRun } from '../../ui.tsx';
import { Status } from '../AppStatus.tsx';
import '../messages.ts';
import type { Notification } from '../model.ts';
import { ApplicantNav } from '../Notifications.tsx';
import { EvidenceAttach } from '../PlatformEvidence.tsx';

/**
 * A revocation case against the host's platform (Art. 13). The host learns its id from the
 * `revocation.*` notifications (`entityType: revocation`, `detail.platformId`), reads it with
 * `GET /v1/revocations/{id}` and, before the response deadline, files its statement (陈述申辩) once,
 * with verified platform evidence (`POST /v1/revocations/{id}/response`). After the deadline the server
 * answers 409 RESPONSE_DEADLINE_PASSED, shown as it is.
 */
addMessages(
  {
    'applicant.rev.title': '资格撤销程序（第十三条）',
    'applicant.rev.pageTitle': '资格撤销程序',
    'applicant.rev.open': '本平台有进行中的资格撤销程序，请在陈述申辩期限前提交陈述。',
    'applicant.rev.view': '查看撤销程序并陈述申辩',
    'applicant.rev.past': '以往的撤销程序',
    'applicant.rev.ground': '撤销事由',
    'applicant.rev.description': '事实与理由',
    'applicant.rev.deadline': '陈述申辩截止时间',
    'applicant.rev.deadlinePassed': '陈述申辩期限已过。',
    'applicant.rev.refused.RESPONSE_DEADLINE_PASSED':
      '陈述申辩期限已过，系统不再接受陈述；审批负责人将依据现有材料作出决定。',
    'applicant.rev.refused.ALREADY_RESPONDED': '本案已提交过陈述申辩，每个案件只能提交一次。',
    'applicant.rev.openedAt': '启动时间',
    'applicant.rev.evidence': '产业办提交的证据',
    'applicant.rev.years': '涉及年度',
    'applicant.rev.response': '我方陈述申辩',
    'applicant.rev.statement': '陈述申辩意见',
    'applicant.rev.statementHint': '说明事实、理由及整改情况；提交后不可修改，只能提交一次。',
    'applicant.rev.responseEvidence': '陈述申辩证明材料',
    'applicant.rev.submit': '提交陈述申辩',
    'applicant.rev.submitted': '陈述申辩已提交，审批负责人将作出决定。',
    'applicant.rev.respondedAt': '提交时间',
    'applicant.rev.decision': '决定',
    'applicant.rev.decision.revoke': '撤销认定',
    'applicant.rev.decision.dismiss': '不予撤销',
    'applicant.rev.ground.consecutive_unqualified': '连续两年考评不合格',
    'applicant.rev.ground.overdue_report': '逾期未提交年度自评报告',
    'applicant.rev.ground.falsification': '弄虚作假',
    'applicant.rev.ground.host_terminated': '建设主体终止',
    'applicant.rev.ground.serious_violation': '严重违法违规',
    'applicant.rev.ground.other': '其他',
    'applicant.status.awaiting_response': '待陈述申辩',
    'applicant.status.responded': '已陈述申辩',
    'applicant.status.dismissed': '不予撤销',
  },
  {
    'applicant.rev.title': 'Revocation proceedings (Art. 13)',
    'applicant.rev.pageTitle': 'Revocation proceedings',
    'applicant.rev.open':
      'Revocation proceedings are open against this platform: respond before the deadline.',
    'applicant.rev.view': 'Open the case and respond',
    'applicant.rev.past': 'Earlier cases',
    'applicant.rev.ground': 'Ground',
    'applicant.rev.description': 'Facts and reasons',
    'applicant.rev.deadline': 'Response deadline',
    'applicant.rev.deadlinePassed': 'The response deadline has passed.',
    'applicant.rev.refused.RESPONSE_DEADLINE_PASSED':
      'The response deadline has passed: no statement is accepted any more; the approver decides on the file as it stands.',
    'applicant.rev.refused.ALREADY_RESPONDED':
      'A statement was already filed in this case; it can be filed once.',
    'applicant.rev.openedAt': 'Opened',
    'applicant.rev.evidence': 'The office’s evidence',
    'applicant.rev.years': 'Years concerned',
    'applicant.rev.response': 'Our statement',
    'applicant.rev.statement': 'Statement',
    'applicant.rev.statementHint':
      'The facts, your reasons and what you have corrected; it cannot be changed after filing, and is filed once.',
    'applicant.rev.responseEvidence': 'evidence for the statement',
    'applicant.rev.submit': 'File the statement',
    'applicant.rev.submitted': 'The statement is filed; the approver decides.',
    'applicant.rev.respondedAt': 'Filed',
    'applicant.rev.decision': 'Decision',
    'applicant.rev.decision.revoke': 'Recognition revoked',
    'applicant.rev.decision.dismiss': 'Dismissed',
    'applicant.rev.ground.consecutive_unqualified': 'Unqualified two years in a row',
    'applicant.rev.ground.overdue_report': 'Self-evaluation report overdue',
    'applicant.rev.ground.falsification': 'Falsification',
    'applicant.rev.ground.host_terminated': 'Host organisation terminated',
    'applicant.rev.ground.serious_violation': 'Serious violation',
    'applicant.rev.ground.other': 'Other',
    'applicant.status.awaiting_response': 'Awaiting the response',
    'applicant.status.responded': 'Responded',
    'applicant.status.dismissed': 'Dismissed',
  },
);

export interface Revocation {
  id: string;
  platformId: string;
  hostName: string;
  ground: string;
  description: string;
  facts?: { years: number[] };
  evidence: { evidenceId: string; sha256: string; fileName?: string }[];
  responseDeadline: string;
  status: 'awaiting_response' | 'responded' | 'revoked' | 'dismissed';
  createdAt: string;
  response?: {
    statement: string;
    evidence: { evidenceId: string; fileName?: string }[];
    by: string;
    at: string;
  };
  decision?: { decision: 'revoke' | 'dismiss'; opinion: string; at: string };
  version: number;
}

/** The platform's revocation cases the host was told about, newest first. */
export async function revocationsOf(platformId: string): Promise<Revocation[]> {
  const notes = await allPages<Notification>('/v1/notifications', 1000);
  const ids = [
    ...new Set(
      notes
        .filter((n) => n.entityType === 'revocation' && n.detail?.platformId === platformId)
        .map((n) => n.entityId),
    ),
  ];
  const cases = await Promise.all(
    ids.map((id) => get<Revocation>(`/v1/revocations/${id}`).catch(() => undefined)),
  );
  return cases
    .filter((c): c is Revocation => c !== undefined)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** On the platform page: the open case (with a link to respond) and earlier ones. */
export function RevocationSummary({ platformId }: { platformId: string }) {
  const cases = useLoad(() => revocationsOf(platformId), [platformId]);
  const list = cases.data ?? [];
  if (!list.length && !cases.problem) return null;
  const open = list.filter((c) => c.status === 'awaiting_response' || c.status === 'responded');
  const past = list.filter((c) => !open.includes(c));
  return (
    <Section title={t('applicant.rev.title')}>
      <ProblemBox problem={cases.problem} />
      {open.map((c) => (
        <div key={c.id} class="supplement" data-revocation={c.id}>
          <p>
            <strong>{t('applicant.rev.open')}</strong>
          </p>
          <p>
            {t(`applicant.rev.ground.${c.ground}`)} · <Status value={c.status} /> ·{' '}
            {t('applicant.rev.deadline')} {formatInstant(c.responseDeadline)}
          </p>
          <p>
            <a href={`#/apply/revocations/${c.id}`}>{t('applicant.rev.view')}</a>
          </p>
        </div>
      ))}
      {past.length ? (
        <>
          <h3>{t('applicant.rev.past')}</h3>
          <ul>
            {past.map((c) => (
              <li key={c.id}>
                <a href={`#/apply/revocations/${c.id}`}>{t(`applicant.rev.ground.${c.ground}`)}</a> ·{' '}
                <Status value={c.status} /> · {formatInstant(c.createdAt)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}

/** `#/apply/revocations/:id`: the case, and the response form while the response period is open. */
export function RevocationPage({ params }: { params: Record<string, string> }) {
  useLang();
  const rev = useLoad(() => get<Revocation>(`/v1/revocations/${params.id}`), [params.id]);
  const c = rev.data;
  return (
    <main id="main" class="applicant">
      <ApplicantNav />
      <h1>
        {t('applicant.rev.pageTitle')} {c ? <Status value={c.status} /> : null}
      </h1>
      <ProblemBox problem={rev.problem} />
      <Loading when={rev.loading && !c}>
        {c ? (
          <>
            <p>
              <a href={`#/apply/platforms/${c.platformId}`}>
                {t('common.back')} · {c.hostName}
              </a>
            </p>
            <dl class="facts">
              <dt>{t('applicant.rev.ground')}</dt>
              <dd>{t(`applicant.rev.ground.${c.ground}`)}</dd>
              <dt>{t('applicant.rev.description')}</dt>
              <dd>{c.description}</dd>
              {c.facts?.years.length ? (
                <>
                  <dt>{t('applicant.rev.years')}</dt>
                  <dd>{c.facts.years.join('、')}</dd>
                </>
              ) : null}
              <dt>{t('applicant.rev.openedAt')}</dt>
              <dd>{formatInstant(c.createdAt)}</dd>
              <dt>{t('applicant.rev.deadline')}</dt>
              <dd>
                <time dateTime={c.responseDeadline}>{formatInstant(c.responseDeadline)}</time>
              </dd>
              {c.evidence.length ? (
                <>
                  <dt>{t('applicant.rev.evidence')}</dt>
                  <dd>{c.evidence.map((e) => e.fileName ?? e.evidenceId).join('、')}</dd>
                </>
              ) : null}
              {c.decision ? (
                <>
                  <dt>{t('applicant.rev.decision')}</dt>
                  <dd>
                    {t(`applicant.rev.decision.${c.decision.decision}`)} · {c.decision.opinion} ·{' '}
                    {formatInstant(c.decision.at)}
                  </dd>
                </>
              ) : null}
            </dl>
            <Section title={t('applicant.rev.response')}>
              {c.response ? (
                <dl class="facts" id="revocation-response">
                  <dt>{t('applicant.rev.statement')}</dt>
                  <dd>{c.response.statement}</dd>
                  <dt>{t('applicant.rev.respondedAt')}</dt>
                  <dd>{formatInstant(c.response.at)}</dd>
                  {c.response.evidence.length ? (
                    <>
                      <dt>{t('applicant.rev.responseEvidence')}</dt>
                      <dd>{c.response.evidence.map((e) => e.fileName ?? e.evidenceId).join('、')}</dd>
                    </>
                  ) : null}
                </dl>
              ) : c.status === 'awaiting_response' ? (
                <ResponseForm revocation={c} onDone={rev.reload} />
              ) : (
                <p>{t('common.none')}</p>
              )}
            </Section>
          </>
        ) : null}
      </Loading>
    </main>
  );
}

function ResponseForm({ revocation, onDone }: { revocation: Revocation; onDone: () => void }) {
  const [statement, setStatement] = useState('');
  const [ids, setIds] = useState<string[]>([]);
  const { problem, busy, submit } = useRun();
  const [message, setMessage] = useState('');
  const passed = Date.parse(revocation.responseDeadline) <= Date.now();
  const respond = submit(async () => {
    await post(`/v1/revocations/${revocation.id}/response`, {
      statement,
      ...(ids.length ? { evidenceIds: ids } : {}),
    });
    setMessage(t('applicant.rev.submitted'));
    onDone();
  });
  const err = fieldError(problem, 'statement');
  return (
    <form onSubmit={respond} noValidate>
      {passed ? <p class="warning">{t('applicant.rev.deadlinePassed')}</p> : null}
      <TextAreaField
        id="rev-statement"
        label={t('applicant.rev.statement')}
        rows={6}
        required
        value={statement}
        hint={t('applicant.rev.statementHint')}
        error={err}
        onInput={setStatement}
      />
      <EvidenceAttach
        id="rev-evidence"
        label={t('applicant.rev.responseEvidence')}
        kind="revocation_response"
        createPath={`/v1/platforms/${revocation.platformId}/evidence`}
        confirmPath={(id) => `/v1/platforms/${revocation.platformId}/evidence/${id}/confirm`}
        onIds={setIds}
      />
      {problem instanceof ApiProblem &&
      (problem.code === 'RESPONSE_DEADLINE_PASSED' || problem.code === 'ALREADY_RESPONDED') ? (
        <p class="error">{t(`applicant.rev.refused.${problem.code}`)}</p>
      ) : null}
      <ProblemBox problem={problem} />
      <p role="status">{message}</p>
      <button type="submit" disabled={busy}>
        {t('applicant.rev.submit')}
      </button>
    </form>
  );
}
