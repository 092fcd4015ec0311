import { useEffect, useRef, useState } from 'preact/hooks';
import { checkEligibility, type EligibilityOrganisation } from '../../../functions/core/eligibility.ts';
import { WITHDRAWABLE } from '../../../functions/core/recognition-model.ts';
import { get, newIdempotencyKey, patch, post } from '../api.ts';
import { addMessages, formatInstant, t, useLang } from '../i18n.ts';
import { navigate } from '../router.ts';
import { fieldError, Loading, ProblemBox, Section, useLoad } from '../ui.tsx';
import { Status } from './AppStatus.tsx';
import { EvidenceUploads } from './Evidence.tsx';
import './messages.ts';
import {
  type Application,
  type Call,
  type EligibilityView,
  type Evidence,
  type Finding,
  findingText,
  myOrganisation,
  type Organisation,
  type Party,
} from './model.ts';
import { ApplicantNav } from './Notifications.tsx';
import { PartyList } from './PartyList.tsx';

addMessages(
  {
    'applicant.withdraw.title': '撤回申报',
    'applicant.withdraw.intro': '在名单公示前可以撤回申报（第八条）。',
    'applicant.withdraw.start': '撤回申报…',
    'applicant.withdraw.confirmTitle': '确认撤回申报？',
    'applicant.withdraw.consequence':
      '撤回后本申报书的审查即告终止，不能再修改、补正或重新提交；如需参加本次认定，须在截止时间前重新创建申报书。',
    'applicant.withdraw.reason': '撤回原因（可选）',
    'applicant.withdraw.confirm': '确认撤回',
    'applicant.withdraw.keep': '不撤回',
    'applicant.withdraw.done': '申报已撤回。',
  },
  {
    'applicant.withdraw.title': 'Withdraw the application',
    'applicant.withdraw.intro': 'You may withdraw the application until the list is published (Art. 8).',
    'applicant.withdraw.start': 'Withdraw…',
    'applicant.withdraw.confirmTitle': 'Withdraw this application?',
    'applicant.withdraw.consequence':
      'Its review ends for good: it can no longer be edited, supplemented or submitted again; to take part in this call you would create a new application before the deadline.',
    'applicant.withdraw.reason': 'Reason (optional)',
    'applicant.withdraw.confirm': 'Yes, withdraw',
    'applicant.withdraw.keep': 'Keep the application',
    'applicant.withdraw.done': 'The application is withdrawn.',
  },
);

const EDITABLE = ['draft', 'returned'];

interface FormState {
  registeredCapitalCny: string;
  committedEnterprisesPerYear: string;
  capabilities: string;
  summary: string;
  consortium: Party[];
  partners: Party[];
}

const emptyForm = (org?: Organisation): FormState => ({
  registeredCapitalCny: org ? String(org.registeredCapitalCny) : '',
  committedEnterprisesPerYear: '',
  capabilities: '',
  summary: '',
  consortium: [],
  partners: [],
});

const formOf = (a: Application): FormState => ({
  registeredCapitalCny: String(a.registeredCapitalCny),
  committedEnterprisesPerYear: String(a.committedEnterprisesPerYear),
  capabilities: a.capabilities.join('\n'),
  summary: a.summary,
  consortium: a.consortium.map((p) => ({ ...p })),
  partners: a.partners.map((p) => ({ ...p })),
});

const toInt = (s: string): number => {
  const n = Number(s.replace(/[,\s]/g, ''));
  return Number.isFinite(n) ? Math.trunc(n) : 0;
};

const cleanParties = (ps: readonly Party[]): Party[] =>
  ps
    .filter((p) => p.name.trim())
    .map((p) => ({ name: p.name.trim(), kind: p.kind, ...(p.uscc?.trim() ? { uscc: p.uscc.trim() } : {}) }));

const bodyOf = (f: FormState) => ({
  registeredCapitalCny: toInt(f.registeredCapitalCny),
  committedEnterprisesPerYear: toInt(f.committedEnterprisesPerYear),
  capabilities: f.capabilities
    .split('\n')
    .map((c) => c.trim())
    .filter(Boolean),
  summary: f.summary.trim(),
  consortium: cleanParties(f.consortium),
  partners: cleanParties(f.partners),
});

/**
 * Stands in for the organisation when the portal does not know it yet: only the application's own rules
 * (capital, partners, enterprises) are judged as you type; the server judges the rest on save.
 */
const NEUTRAL_ORG = (capital: number): EligibilityOrganisation => ({
  uscc: '',
  registeredCapitalCny: capital,
  usccCheck: {
    valid: true,
    checkDigitOk: true,
    regionCode: '442000',
    inZhongshan: true,
    entityType: 'enterprise',
    problems: [],
  },
  verification: { status: 'not_required' },
});

function Findings({ eligibility }: { eligibility: EligibilityView }) {
  const list = (fs: readonly Finding[]) => (
    <ul>
      {fs.map((f) => (
        <li key={f.rule} data-rule={f.rule}>
          {findingText(f)}
        </li>
      ))}
    </ul>
  );
  return (
    <>
      {eligibility.eligible ? (
        <p class="ok">{t('applicant.app.eligibility.ok')}</p>
      ) : (
        <div class="error">{list(eligibility.failures)}</div>
      )}
      {eligibility.warnings.length ? (
        <div class="warning">
          <p>{t('applicant.app.eligibility.warning')}</p>
          {list(eligibility.warnings)}
        </div>
      ) : null}
    </>
  );
}

function Timeline({ app }: { app: Application }) {
  const steps: { at: string; text: string }[] = [
    { at: app.createdAt, text: t('applicant.app.timeline.created') },
  ];
  if (app.submittedAt) steps.push({ at: app.submittedAt, text: t('applicant.app.timeline.submitted') });
  if (app.supplementDeadline)
    steps.push({
      at: app.supplementDeadline,
      text: `${t('applicant.app.timeline.returned')} ${formatInstant(app.supplementDeadline)}`,
    });
  if (app.resubmittedAt) steps.push({ at: app.resubmittedAt, text: t('applicant.app.timeline.resubmitted') });
  if (app.withdrawnAt) steps.push({ at: app.withdrawnAt, text: t('applicant.app.timeline.withdrawn') });
  steps.push({
    at: app.updatedAt,
    text: t('applicant.app.timeline.updated', { status: t(`applicant.status.${app.status}`) }),
  });
  return (
    <ol class="timeline">
      {steps.map((s) => (
        <li key={`${s.at}-${s.text}`}>
          <time dateTime={s.at}>{formatInstant(s.at)}</time> {s.text}
        </li>
      ))}
    </ol>
  );
}

/** `#/apply/calls/:callId/new`: drafts an application to an open call. */
export function NewApplication({ params }: { params: Record<string, string> }) {
  useLang();
  const data = useLoad(async () => {
    const [call, org] = await Promise.all([get<Call>(`/v1/calls/${params.callId}`), myOrganisation()]);
    return { call, org };
  }, [params.callId]);
  return (
    <main id="main" class="applicant">
      <ApplicantNav />
      <h1>{t('applicant.app.newTitle')}</h1>
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading}>
        {data.data ? <Editor call={data.data.call} org={data.data.org} /> : null}
      </Loading>
    </main>
  );
}

/** `#/apply/applications/:id`: the application, its evidence, submission, supplement and timeline. */
export function ApplicationDetail({ params }: { params: Record<string, string> }) {
  useLang();
  const data = useLoad(async () => {
    const app = await get<Application>(`/v1/applications/${params.id}`);
    const [call, org, evidence] = await Promise.all([
      get<Call>(`/v1/calls/${app.callId}`),
      get<Organisation>(`/v1/organisations/${app.orgId}`).catch(() => undefined),
      get<{ items: Evidence[] }>(`/v1/applications/${app.id}/evidence`),
    ]);
    return { app, call, org, evidence: evidence.items };
  }, [params.id]);
  return (
    <main id="main" class="applicant">
      <ApplicantNav />
      <h1>
        {t('applicant.app.title')} {data.data ? <Status value={data.data.app.status} /> : null}
      </h1>
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading && !data.data}>
        {data.data ? (
          <Editor
            key={data.data.app.id}
            call={data.data.call}
            org={data.data.org}
            app={data.data.app}
            evidence={data.data.evidence}
            reload={data.reload}
          />
        ) : null}
      </Loading>
    </main>
  );
}

function Editor(props: {
  call: Call;
  org: Organisation | undefined;
  app?: Application;
  evidence?: readonly Evidence[];
  reload?: () => void;
}) {
  const { call, org } = props;
  const [app, setApp] = useState(props.app);
  const [form, setForm] = useState<FormState>(() => (props.app ? formOf(props.app) : emptyForm(org)));
  const [dirty, setDirty] = useState(false);
  const [problem, setProblem] = useState<unknown>();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [createKey] = useState(newIdempotencyKey);
  const editable = !app || EDITABLE.includes(app.status);
  const change = (patchForm: Partial<FormState>) => {
    setForm((f) => ({ ...f, ...patchForm }));
    setDirty(true);
    setMessage('');
  };
  const body = bodyOf(form);
  // Cheap pure rules: recomputed on every keystroke.
  const live = checkEligibility(body, org ?? NEUTRAL_ORG(body.registeredCapitalCny));

  const save = async (): Promise<Application | undefined> => {
    setProblem(undefined);
    if (!app) {
      const created = await post<{ id: string }>(`/v1/calls/${call.id}/applications`, body, {
        idempotencyKey: createKey,
      });
      navigate(`/apply/applications/${created.id}`);
      return undefined;
    }
    const saved = await patch<Application>(`/v1/applications/${app.id}`, { ...body, version: app.version });
    setApp(saved);
    setDirty(false);
    setMessage(t('applicant.app.saved', { v: saved.version }));
    return saved;
  };

  const run = (action: () => Promise<unknown>) => async (e?: Event) => {
    e?.preventDefault();
    setBusy(true);
    try {
      await action();
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };

  const submit = run(async () => {
    if (!app) return;
    const current = dirty ? await save() : app;
    if (!current) return;
    const submitted = await post<Application>(`/v1/applications/${current.id}/submit`);
    setApp(submitted);
    setMessage(t('applicant.app.submitted'));
    props.reload?.();
  });

  return (
    <>
      <p>
        {t('applicant.call')}: <strong>{call.title}</strong> — {t('applicant.calls.closesAt')}{' '}
        {formatInstant(call.closesAt)}
      </p>
      {app?.status === 'returned' && app.supplementDeadline ? (
        <section class="supplement" aria-labelledby="supplement-title">
          <h2 id="supplement-title">{t('applicant.app.supplement')}</h2>
          <p>{t('applicant.app.supplement.text', { deadline: formatInstant(app.supplementDeadline) })}</p>
        </section>
      ) : null}
      {!org && !app ? (
        <p class="warning">
          {t('applicant.app.needOrg')} <a href="#/apply/organisation">{t('applicant.org.register')}</a>
        </p>
      ) : null}
      <div class="app-layout">
        <form class="app-form" onSubmit={run(save)} noValidate>
          {!editable ? <p>{t('applicant.app.readOnly')}</p> : null}
          <fieldset disabled={!editable}>
            <div class="field">
              <label for="app-capital">{t('applicant.app.capital')}</label>
              <input
                id="app-capital"
                type="number"
                inputMode="numeric"
                min={0}
                value={form.registeredCapitalCny}
                aria-describedby="eligibility-live"
                aria-invalid={fieldError(problem, 'registeredCapitalCny') ? 'true' : undefined}
                onInput={(e) => change({ registeredCapitalCny: (e.target as HTMLInputElement).value })}
              />
            </div>
            <div class="field">
              <label for="app-enterprises">{t('applicant.app.enterprises')}</label>
              <input
                id="app-enterprises"
                type="number"
                inputMode="numeric"
                min={0}
                value={form.committedEnterprisesPerYear}
                aria-describedby="eligibility-live"
                onInput={(e) => change({ committedEnterprisesPerYear: (e.target as HTMLInputElement).value })}
              />
            </div>
            <div class="field">
              <label for="app-capabilities">{t('applicant.app.capabilities')}</label>
              <textarea
                id="app-capabilities"
                rows={3}
                value={form.capabilities}
                onInput={(e) => change({ capabilities: (e.target as HTMLTextAreaElement).value })}
              />
            </div>
            <div class="field">
              <label for="app-summary">{t('applicant.app.summary')}</label>
              <textarea
                id="app-summary"
                rows={4}
                value={form.summary}
                aria-invalid={fieldError(problem, 'summary') ? 'true' : undefined}
                onInput={(e) => change({ summary: (e.target as HTMLTextAreaElement).value })}
              />
              {fieldError(problem, 'summary') ? (
                <small class="error" role="alert">
                  {fieldError(problem, 'summary')}
                </small>
              ) : null}
            </div>
            <PartyList
              id="consortium"
              legend={t('applicant.app.consortium')}
              items={form.consortium}
              onChange={(consortium) => change({ consortium })}
              disabled={!editable}
            />
            <PartyList
              id="partners"
              legend={t('applicant.app.partners')}
              items={form.partners}
              onChange={(partners) => change({ partners })}
              disabled={!editable}
            />
          </fieldset>
          <ProblemBox problem={problem} />
          <p role="status">{message}</p>
          {editable ? (
            <div class="actions">
              <button type="submit" disabled={busy}>
                {t('applicant.app.saveDraft')}
              </button>
              {app ? (
                <button type="button" class="primary" disabled={busy} onClick={submit}>
                  {app.status === 'returned' ? t('applicant.app.resubmit') : t('applicant.app.submit')}
                </button>
              ) : null}
            </div>
          ) : null}
        </form>
        <aside class="app-side">
          <Section title={t('applicant.app.eligibility')}>
            <div id="eligibility-live" class="eligibility" role="status" aria-live="polite">
              <h3>{t('applicant.app.eligibility.live')}</h3>
              <Findings eligibility={live} />
            </div>
            {app ? (
              <div class="eligibility" id="eligibility-server">
                <h3>{t('applicant.app.eligibility.server')}</h3>
                <Findings eligibility={app.eligibility} />
              </div>
            ) : null}
          </Section>
          {app ? (
            <Section title={t('applicant.app.timeline')}>
              <Timeline app={app} />
            </Section>
          ) : null}
        </aside>
      </div>
      <Section title={t('applicant.app.evidence')}>
        {app ? (
          <EvidenceUploads
            applicationId={app.id}
            required={call.requiredEvidence}
            evidence={props.evidence ?? []}
            editable={editable}
            onChanged={() => props.reload?.()}
          />
        ) : (
          <p>{t('applicant.app.evidence.saveFirst')}</p>
        )}
      </Section>
      {app && WITHDRAWABLE.includes(app.status as (typeof WITHDRAWABLE)[number]) ? (
        <Withdraw
          app={app}
          onWithdrawn={(withdrawn) => {
            setApp(withdrawn);
            setMessage(t('applicant.withdraw.done'));
            props.reload?.();
          }}
        />
      ) : null}
    </>
  );
}

/**
 * Withdrawal (`POST /v1/applications/{id}/withdraw`, Art. 8(4)): offered only in the states the server
 * allows, after an explicit confirmation that names the consequence; the server's 409 is shown if it
 * refuses (e.g. the list was published meanwhile).
 */
function Withdraw({ app, onWithdrawn }: { app: Application; onWithdrawn: (a: Application) => void }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  // Keyboard and screen-reader users land in the confirmation when it opens.
  useEffect(() => {
    if (asking) keep.current?.focus();
  }, [asking]);
  const confirm = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const withdrawn = await post<Application>(
        `/v1/applications/${app.id}/withdraw`,
        reason.trim() ? { reason: reason.trim() } : {},
      );
      setAsking(false);
      onWithdrawn(withdrawn);
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="withdraw" aria-labelledby="withdraw-title">
      <h2 id="withdraw-title">{t('applicant.withdraw.title')}</h2>
      <p>{t('applicant.withdraw.intro')}</p>
      {asking ? (
        <div
          class="confirm-box"
          role="alertdialog"
          aria-modal="false"
          aria-labelledby="withdraw-confirm-title"
          aria-describedby="withdraw-consequence"
        >
          <h3 id="withdraw-confirm-title">{t('applicant.withdraw.confirmTitle')}</h3>
          <p id="withdraw-consequence">{t('applicant.withdraw.consequence')}</p>
          <div class="field">
            <label for="withdraw-reason">{t('applicant.withdraw.reason')}</label>
            <textarea
              id="withdraw-reason"
              rows={2}
              value={reason}
              aria-invalid={fieldError(problem, 'reason') ? 'true' : undefined}
              onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
            />
          </div>
          <ProblemBox problem={problem} />
          <div class="actions">
            <button type="button" class="danger" disabled={busy} onClick={() => void confirm()}>
              {t('applicant.withdraw.confirm')}
            </button>
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() => setAsking(false)}
              ref={keep}
            >
              {t('applicant.withdraw.keep')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          {t('applicant.withdraw.start')}
        </button>
      )}
    </section>
  );
}
