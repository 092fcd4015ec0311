import { useState } from 'preact/hooks';
import { get, newIdempotencyKey, post } from '../../api.ts';
import { addMessages, formatInstant, t } from '../../i18n.ts';
import { DataTable, Field, fieldError, ProblemBox, Section, SelectField, useLoad } from '../../ui.tsx';
import '../messages.ts';
import type { AdvanceNotice, Consent } from '../model.ts';

/**
 * Art. 10 advance notifications (renaming, bankruptcy, restructuring: the effective date must be after
 * today, Asia/Shanghai, else 409 NOT_IN_ADVANCE and the office is alerted) and Art. 11 data-sharing
 * consents (what observers may see, until when).
 */
addMessages(
  {
    'applicant.adv.title': '重大事项事前报告（第十条）',
    'applicant.adv.intro': '平台更名、破产、重组等事项须在生效前报告产业办；生效日期须晚于今天（北京时间）。',
    'applicant.adv.kind': '事项',
    'applicant.adv.kind.rename': '更名',
    'applicant.adv.kind.bankruptcy': '破产',
    'applicant.adv.kind.restructuring': '重组',
    'applicant.adv.effectiveDate': '生效日期',
    'applicant.adv.description': '事项说明',
    'applicant.adv.submit': '提交事前报告',
    'applicant.adv.done': '事前报告已提交。',
    'applicant.adv.list': '已提交的事前报告',
    'applicant.adv.filedAt': '提交时间',
    'applicant.share.title': '数据共享授权（第十一条）',
    'applicant.share.intro':
      '授权工信、数据等主管部门（观察员）查看本平台的数据；未授权的证明材料不向观察员开放，每次查看均留痕。',
    'applicant.share.dataOwner': '授权方（数据所有者）',
    'applicant.share.scope': '共享范围',
    'applicant.share.scope.evidence': '证明材料',
    'applicant.share.scope.reports': '自评报告',
    'applicant.share.scope.vouchers': '算力券数据',
    'applicant.share.validUntil': '授权有效期至',
    'applicant.share.submit': '登记授权',
    'applicant.share.done': '共享授权已登记。',
    'applicant.share.list': '已登记的授权',
    'applicant.share.expired': '已过期',
    'applicant.share.valid': '有效',
  },
  {
    'applicant.adv.title': 'Advance notifications (Art. 10)',
    'applicant.adv.intro':
      'Tell the office of a renaming, bankruptcy or restructuring before it takes effect; the effective date must be after today (Beijing time).',
    'applicant.adv.kind': 'What happens',
    'applicant.adv.kind.rename': 'Renaming',
    'applicant.adv.kind.bankruptcy': 'Bankruptcy',
    'applicant.adv.kind.restructuring': 'Restructuring',
    'applicant.adv.effectiveDate': 'Effective date',
    'applicant.adv.description': 'Description',
    'applicant.adv.submit': 'File the notification',
    'applicant.adv.done': 'The notification is filed.',
    'applicant.adv.list': 'Notifications filed',
    'applicant.adv.filedAt': 'Filed',
    'applicant.share.title': 'Data sharing consents (Art. 11)',
    'applicant.share.intro':
      'Authorise the supervising bureaus (observers) to see this platform’s data; evidence without a consent stays closed to them, and every read is recorded.',
    'applicant.share.dataOwner': 'Authorised by (the data owner)',
    'applicant.share.scope': 'Scope',
    'applicant.share.scope.evidence': 'Evidence',
    'applicant.share.scope.reports': 'Self-evaluation reports',
    'applicant.share.scope.vouchers': 'Voucher data',
    'applicant.share.validUntil': 'Valid until',
    'applicant.share.submit': 'Record the consent',
    'applicant.share.done': 'The consent is recorded.',
    'applicant.share.list': 'Consents recorded',
    'applicant.share.expired': 'Expired',
    'applicant.share.valid': 'Valid',
  },
);

const ADVANCE_KINDS = ['rename', 'bankruptcy', 'restructuring'] as const;
const SCOPES = ['evidence', 'reports', 'vouchers'] as const;

const shanghaiToday = (): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

export function AdvanceNotices({ platformId }: { platformId: string }) {
  const list = useLoad(
    () => get<{ items: AdvanceNotice[] }>(`/v1/platforms/${platformId}/notifications`),
    [platformId],
  );
  const [kind, setKind] = useState<(typeof ADVANCE_KINDS)[number]>('rename');
  const [effectiveDate, setEffectiveDate] = useState('');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setDone('');
    try {
      await post(
        `/v1/platforms/${platformId}/notifications`,
        { kind, effectiveDate, description },
        { idempotencyKey: key },
      );
      setDone(t('applicant.adv.done'));
      setDescription('');
      setEffectiveDate('');
      setKey(newIdempotencyKey());
      list.reload();
    } catch (err) {
      setProblem(err);
      setKey(newIdempotencyKey());
    }
  };
  return (
    <Section title={t('applicant.adv.title')}>
      <p>{t('applicant.adv.intro')}</p>
      <form onSubmit={submit} noValidate>
        <SelectField
          id="adv-kind"
          label={t('applicant.adv.kind')}
          value={kind}
          onChange={setKind}
          options={ADVANCE_KINDS}
          optionLabel={(k) => t(`applicant.adv.kind.${k}`)}
        />
        <Field
          id="adv-date"
          label={t('applicant.adv.effectiveDate')}
          type="date"
          value={effectiveDate}
          onInput={setEffectiveDate}
          required
          error={fieldError(problem, 'effectiveDate')}
        />
        <Field
          id="adv-description"
          label={t('applicant.adv.description')}
          value={description}
          onInput={setDescription}
          required
          error={fieldError(problem, 'description')}
        />
        <ProblemBox problem={problem} />
        <p role="status">{done}</p>
        <button type="submit">{t('applicant.adv.submit')}</button>
      </form>
      <h3>{t('applicant.adv.list')}</h3>
      <ProblemBox problem={list.problem} />
      {list.data?.items.length ? (
        <DataTable
          label={t('applicant.adv.list')}
          rows={list.data.items}
          rowKey={(n) => n.id}
          columns={[
            { header: t('applicant.adv.kind'), cell: (n) => t(`applicant.adv.kind.${n.kind}`) },
            { header: t('applicant.adv.effectiveDate'), cell: (n) => n.effectiveDate },
            { header: t('applicant.adv.description'), cell: (n) => n.description },
            { header: t('applicant.adv.filedAt'), cell: (n) => formatInstant(n.filedAt) },
          ]}
        />
      ) : (
        <p>{t('common.none')}</p>
      )}
    </Section>
  );
}

export function SharingConsents({ platformId, hostName }: { platformId: string; hostName: string }) {
  const list = useLoad(
    () => get<{ items: Consent[] }>(`/v1/platforms/${platformId}/sharing-consents`),
    [platformId],
  );
  const [dataOwner, setDataOwner] = useState(hostName);
  const [scope, setScope] = useState<string[]>(['reports']);
  const [validUntil, setValidUntil] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const today = shanghaiToday();
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setDone('');
    try {
      await post(
        `/v1/platforms/${platformId}/sharing-consents`,
        { dataOwner, scope, validUntil },
        { idempotencyKey: key },
      );
      setDone(t('applicant.share.done'));
      setKey(newIdempotencyKey());
      list.reload();
    } catch (err) {
      setProblem(err);
      setKey(newIdempotencyKey());
    }
  };
  return (
    <Section title={t('applicant.share.title')}>
      <p>{t('applicant.share.intro')}</p>
      <form onSubmit={submit} noValidate>
        <Field
          id="share-owner"
          label={t('applicant.share.dataOwner')}
          value={dataOwner}
          onInput={setDataOwner}
          required
          error={fieldError(problem, 'dataOwner')}
        />
        <fieldset class="field">
          <legend>{t('applicant.share.scope')}</legend>
          {SCOPES.map((s) => (
            <label key={s} class="choice">
              <input
                type="checkbox"
                checked={scope.includes(s)}
                onChange={(e) =>
                  setScope((xs) =>
                    (e.target as HTMLInputElement).checked ? [...xs, s] : xs.filter((x) => x !== s),
                  )
                }
              />{' '}
              {t(`applicant.share.scope.${s}`)}
            </label>
          ))}
          {fieldError(problem, 'scope') ? (
            <small class="error" role="alert">
              {fieldError(problem, 'scope')}
            </small>
          ) : null}
        </fieldset>
        <Field
          id="share-until"
          label={t('applicant.share.validUntil')}
          type="date"
          value={validUntil}
          onInput={setValidUntil}
          required
          error={fieldError(problem, 'validUntil')}
        />
        <ProblemBox problem={problem} />
        <p role="status">{done}</p>
        <button type="submit">{t('applicant.share.submit')}</button>
      </form>
      <h3>{t('applicant.share.list')}</h3>
      <ProblemBox problem={list.problem} />
      {list.data?.items.length ? (
        <DataTable
          label={t('applicant.share.list')}
          rows={list.data.items}
          rowKey={(c) => c.id}
          columns={[
            { header: t('applicant.share.dataOwner'), cell: (c) => c.dataOwner },
            {
              header: t('applicant.share.scope'),
              cell: (c) => c.scope.map((s) => t(`applicant.share.scope.${s}`)).join('、'),
            },
            { header: t('applicant.share.validUntil'), cell: (c) => c.validUntil },
            {
              header: t('common.status'),
              cell: (c) =>
                c.validUntil >= today ? t('applicant.share.valid') : t('applicant.share.expired'),
            },
          ]}
        />
      ) : (
        <p>{t('common.none')}</p>
      )}
    </Section>
  );
}
