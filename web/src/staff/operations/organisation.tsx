import { useState } from 'preact/hooks';
import { allPages, get, post } from '../../api.ts';
import type { UsccCheckView } from '../../applicant/model.ts';
import { formatCny, formatInstant, t, useLang } from '../../i18n.ts';
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
import type { Task } from '../inbox.tsx';
import { enc, Facts, Notice, useAction } from './common.tsx';

/**
 * `#/staff/organisations/:id` (Art. 9(1)): an organisation, the automatic check of its unified social
 * credit code (GB 32100-2015: check character, Zhongshan region) and, for an officer whose inbox holds
 * its `uscc_verification` task, the manual verification decision. The API completes the waiting
 * workflow; two officers deciding at once end with one decision (409 for the other).
 */
export interface Organisation {
  id: string;
  name: string;
  uscc: string;
  registeredCapitalCny: number;
  address: string;
  legalRepresentative: string;
  contact: { name: string; phone: string; email: string };
  usccCheck: UsccCheckView;
  verification: { status: string; opinion?: string; decidedAt?: string; decidedBy?: string };
  createdAt: string;
  version: number;
}

export function OrganisationPage({ params }: { params: Record<string, string> }) {
  useLang();
  const s = useSession();
  const id = params.id ?? '';
  const officer = hasRole(s, 'officer');
  const data = useLoad(async () => {
    const [org, tasks] = await Promise.all([
      get<Organisation>(`/v1/organisations/${enc(id)}`),
      officer ? allPages<Task>('/v1/tasks') : Promise.resolve([] as Task[]),
    ]);
    const task = tasks.find((x) => x.kind === 'uscc_verification' && x.entityId === id);
    return { org, task };
  }, [id, officer]);
  const [done, setDone] = useState('');
  const d = data.data;
  return (
    <main id="main">
      <h1>{d ? d.org.name : t('ops.org.title')}</h1>
      <Notice text={done} />
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading && !d}>
        {d ? (
          <>
            <Facts
              rows={[
                [t('staff.app.uscc'), <code key="u">{d.org.uscc}</code>],
                [t('ops.org.verification'), <Status key="v" value={d.org.verification.status} />],
                [t('staff.app.capital'), formatCny(d.org.registeredCapitalCny)],
                [t('ops.org.address'), d.org.address],
                [t('ops.org.legalRep'), d.org.legalRepresentative],
                [
                  t('ops.org.contact'),
                  `${d.org.contact.name} · ${d.org.contact.phone} · ${d.org.contact.email}`,
                ],
                [t('ops.org.registeredAt'), formatInstant(d.org.createdAt)],
              ]}
            />
            <UsccFindings check={d.org.usccCheck} />
            {d.org.verification.decidedAt ? (
              <Section title={t('ops.org.decision')}>
                <Facts
                  rows={[
                    [t('common.status'), <Status key="s" value={d.org.verification.status} />],
                    [t('ops.opinion'), d.org.verification.opinion ?? '—'],
                    [t('ops.decidedBy'), d.org.verification.decidedBy ?? '—'],
                    [t('ops.decidedAt'), formatInstant(d.org.verification.decidedAt)],
                  ]}
                />
              </Section>
            ) : null}
            {d.task && d.org.verification.status === 'pending' ? (
              <VerificationForm
                orgId={id}
                dueAt={d.task.dueAt}
                onDone={(status) => {
                  setDone(t(status === 'verified' ? 'ops.org.doneVerified' : 'ops.org.doneRejected'));
                  data.reload();
                }}
              />
            ) : d.org.verification.status === 'pending' ? (
              <p>{t('ops.org.waiting')}</p>
            ) : null}
          </>
        ) : null}
      </Loading>
    </main>
  );
}

/** The automatic check, in words: what passed and what needs a person. */
function UsccFindings({ check }: { check: UsccCheckView }) {
  return (
    <Section title={t('ops.org.check')}>
      <ul>
        <li class={check.valid ? 'ok' : 'error'}>
          {check.valid ? '✓ ' : '✗ '}
          {t(check.valid ? 'ops.org.check.structureOk' : 'ops.org.check.structureBad')}
        </li>
        <li class={check.checkDigitOk ? 'ok' : 'error'}>
          {check.checkDigitOk ? '✓ ' : '✗ '}
          {check.checkDigitOk
            ? t('ops.org.check.digitOk')
            : t('ops.org.check.digitBad', { expected: check.expectedCheckChar ?? '?' })}
        </li>
        <li class={check.inZhongshan ? 'ok' : 'error'}>
          {check.inZhongshan ? '✓ ' : '✗ '}
          {t(check.inZhongshan ? 'ops.org.check.regionOk' : 'ops.org.check.regionBad', {
            region: check.regionCode,
          })}
        </li>
      </ul>
      {check.problems.length ? (
        <ul>
          {check.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}

function VerificationForm(props: {
  orgId: string;
  dueAt: string;
  onDone: (status: 'verified' | 'rejected') => void;
}) {
  const [decision, setDecision] = useState<'verified' | 'rejected'>('verified');
  const [opinion, setOpinion] = useState('');
  const a = useAction();
  return (
    <Section title={t('ops.org.form')}>
      <p>
        {t('ops.org.due')} {formatInstant(props.dueAt)}
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await a.run((key) =>
            post(
              `/v1/organisations/${enc(props.orgId)}/verification`,
              { decision, opinion },
              { idempotencyKey: key },
            ),
          );
          if (r) props.onDone(decision);
        }}
      >
        <RadioGroup
          legend={t('ops.org.form.decision')}
          name="verification"
          options={['verified', 'rejected'] as const}
          value={decision}
          onChange={setDecision}
          optionLabel={(v) => t(`ops.org.form.${v}`)}
        />
        <TextAreaField
          required
          id="verification-opinion"
          label={t('ops.opinion')}
          value={opinion}
          onInput={setOpinion}
          error={fieldError(a.problem, 'opinion')}
        />
        <ProblemBox problem={a.problem} />
        <button type="submit" disabled={a.busy}>
          {t('ops.org.form.submit')}
        </button>
      </form>
    </Section>
  );
}
