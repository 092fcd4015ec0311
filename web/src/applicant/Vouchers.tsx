import { useState } from 'preact/hooks';
import { allPages, newIdempotencyKey, post } from '../api.ts';
import { addMessages, formatCny, formatInstant, t, useLang } from '../i18n.ts';
import { DataTable, Field, fieldError, Loading, ProblemBox, Section, useLoad } from '../ui.tsx';
import './Dashboard.tsx';
import './messages.ts';
import { myOrganisation } from './model.ts';
import { ApplicantNav } from './Notifications.tsx';
import { type Claim, ClaimStatus } from './platform/Vouchers.tsx';

/**
 * `#/apply/vouchers` (and `#/apply/vouchers/:platformId` from a platform's public profile): an
 * enterprise claims a compute voucher through a recognised platform (`POST /v1/platforms/{id}/voucher-claims`:
 * its organisation must have passed the USCC check, the programme must be open and allocated to the
 * platform — the server says which, 409) and follows its claims and vouchers (`GET /v1/voucher-claims`).
 */
addMessages(
  {
    'applicant.vouchers.title': '算力券',
    'applicant.vouchers.intro':
      '通过已认定的人工智能赋能平台申领算力券，用于购买平台目录中的算力服务；平台审核后发放，券面值计入本企业年度限额。',
    'applicant.vouchers.claim': '申领算力券',
    'applicant.vouchers.platform': '服务平台',
    'applicant.vouchers.programme': '算力券项目',
    'applicant.vouchers.programmeHint': '产业办发布、当前开放申领的项目；所选项目的规则见下方。',
    'applicant.vouchers.noProgrammes': '目前没有开放申领的算力券项目，请关注产业办的通知。',
    'applicant.vouchers.rules': '所选项目的规则',
    'applicant.vouchers.window': '申领期',
    'applicant.vouchers.windowText': '{from} 至 {until}',
    'applicant.vouchers.faceRange': '单张面值',
    'applicant.vouchers.faceRangeText': '{min} 至 {max}',
    'applicant.vouchers.ratio': '补贴上限',
    'applicant.vouchers.ratioText': '合同金额的 {pct}%，且不超过券面值',
    'applicant.vouchers.cap': '每家企业年度限额',
    'applicant.vouchers.capText': '{cap}（自然年，北京时间）',
    'applicant.vouchers.validity': '券有效期',
    'applicant.vouchers.validityText': '发放后 {days} 天，最晚至项目截止',
    'applicant.vouchers.requestedHint': '不少于 {min}；单张券面值最高 {max}。',
    'applicant.vouchers.programmeColumn': '项目',
    'applicant.vouchers.requested': '申领金额（元）',
    'applicant.vouchers.purpose': '算力用途',
    'applicant.vouchers.submit': '提交申领',
    'applicant.vouchers.done': '申领已提交，等待平台审核。',
    'applicant.vouchers.mine': '我的申领',
    'applicant.vouchers.code': '券号',
    'applicant.vouchers.faceValue': '面值',
    'applicant.vouchers.expiresAt': '有效期至',
    'applicant.vouchers.reason': '驳回理由',
    'applicant.vouchers.needOrg': '申领前须先登记本单位。',
    'applicant.vouchers.orgStatus': '本单位统一社会信用代码核验状态：',
    'applicant.vouchers.orgBlocked': '核验通过（或代码有效无需核验）后方可申领。',
    'applicant.vouchers.noPlatforms': '目前没有可申领的平台。',
    'applicant.vouchers.profile': '查看平台公开信息',
  },
  {
    'applicant.vouchers.title': 'Compute vouchers',
    'applicant.vouchers.intro':
      'Claim a compute voucher through a recognised AI enablement platform, to buy compute services of its catalogue; the platform decides, and the face value counts towards your annual cap.',
    'applicant.vouchers.claim': 'Claim a voucher',
    'applicant.vouchers.platform': 'Platform',
    'applicant.vouchers.programme': 'Voucher programme',
    'applicant.vouchers.programmeHint':
      'Programmes the office published that accept claims now; the rules of the one chosen are below.',
    'applicant.vouchers.noProgrammes':
      'No voucher programme accepts claims at the moment; watch for the office’s announcements.',
    'applicant.vouchers.rules': 'Rules of the programme chosen',
    'applicant.vouchers.window': 'Claims accepted',
    'applicant.vouchers.windowText': '{from} to {until}',
    'applicant.vouchers.faceRange': 'Face value of one voucher',
    'applicant.vouchers.faceRangeText': '{min} to {max}',
    'applicant.vouchers.ratio': 'Subsidy at most',
    'applicant.vouchers.ratioText': '{pct} % of the contract amount, and never more than the face value',
    'applicant.vouchers.cap': 'Per enterprise and year',
    'applicant.vouchers.capText': '{cap} (calendar year, Beijing time)',
    'applicant.vouchers.validity': 'Voucher valid for',
    'applicant.vouchers.validityText': '{days} days from issue, at the latest to the programme’s end',
    'applicant.vouchers.requestedHint': 'At least {min}; one voucher is worth at most {max}.',
    'applicant.vouchers.programmeColumn': 'Programme',
    'applicant.vouchers.requested': 'Amount requested (CNY)',
    'applicant.vouchers.purpose': 'What the compute is for',
    'applicant.vouchers.submit': 'File the claim',
    'applicant.vouchers.done': 'The claim is filed; the platform decides.',
    'applicant.vouchers.mine': 'My claims',
    'applicant.vouchers.code': 'Code',
    'applicant.vouchers.faceValue': 'Face value',
    'applicant.vouchers.expiresAt': 'Valid until',
    'applicant.vouchers.reason': 'Reason',
    'applicant.vouchers.needOrg': 'Register your organisation before claiming.',
    'applicant.vouchers.orgStatus': 'Verification of your organisation’s code: ',
    'applicant.vouchers.orgBlocked':
      'Claims need a verified code (or a valid one that needs no verification).',
    'applicant.vouchers.noPlatforms': 'No platform to claim through at the moment.',
    'applicant.vouchers.profile': 'Public profile of the platform',
  },
);

interface PublicPlatform {
  id: string;
  hostName: string;
}

/** `GET /v1/public/voucher-programmes`: a programme open for claims, with its published rules. */
export interface OpenProgramme {
  id: string;
  name: string;
  validFrom: string;
  validUntil: string;
  maxSubsidyRatio: number;
  perEnterpriseAnnualCapCny: number;
  faceValue: { minCny: number; maxCny: number };
  voucherValidityDays: number;
}

export function VouchersPage({ params }: { params: Record<string, string> }) {
  useLang();
  const data = useLoad(async () => {
    const [org, platforms, claims, programmes] = await Promise.all([
      myOrganisation(),
      allPages<PublicPlatform>('/v1/public/platforms', 300),
      allPages<Claim>('/v1/voucher-claims', 300),
      allPages<OpenProgramme>('/v1/public/voucher-programmes', 300),
    ]);
    return { org, platforms, claims, programmes };
  });
  const d = data.data;
  const names = Object.fromEntries((d?.platforms ?? []).map((p) => [p.id, p.hostName]));
  const programmeNames = Object.fromEntries((d?.programmes ?? []).map((p) => [p.id, p.name]));
  const blocked =
    d?.org &&
    !(
      d.org.verification.status === 'verified' ||
      (d.org.verification.status === 'not_required' && d.org.usccCheck.valid)
    );
  return (
    <main id="main" class="applicant">
      <ApplicantNav />
      <h1>{t('applicant.vouchers.title')}</h1>
      <p>{t('applicant.vouchers.intro')}</p>
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading && !d}>
        {d ? (
          <>
            <Section title={t('applicant.vouchers.claim')}>
              {!d.org ? (
                <p class="warning">
                  {t('applicant.vouchers.needOrg')}{' '}
                  <a href="#/apply/organisation">{t('applicant.org.register')}</a>
                </p>
              ) : (
                <p>
                  {t('applicant.vouchers.orgStatus')}
                  <span class={`status status-${d.org.verification.status}`}>
                    {t(`applicant.org.verification.${d.org.verification.status}`)}
                  </span>
                  {blocked ? <span class="warning"> {t('applicant.vouchers.orgBlocked')}</span> : null}
                </p>
              )}
              {!d.platforms.length ? (
                <p>{t('applicant.vouchers.noPlatforms')}</p>
              ) : !d.programmes.length ? (
                <p class="warning">{t('applicant.vouchers.noProgrammes')}</p>
              ) : (
                <ClaimForm
                  platforms={d.platforms}
                  initialPlatform={params.platformId}
                  programmes={d.programmes}
                  onDone={data.reload}
                />
              )}
            </Section>
            <Section title={t('applicant.vouchers.mine')}>
              {d.claims.length ? (
                <DataTable
                  label={t('applicant.vouchers.mine')}
                  rows={d.claims}
                  rowKey={(c) => c.id}
                  columns={[
                    {
                      header: t('applicant.vouchers.platform'),
                      cell: (c) => names[c.platformId] ?? <code>{c.platformId}</code>,
                    },
                    {
                      header: t('applicant.vouchers.programmeColumn'),
                      cell: (c) => programmeNames[c.programmeId] ?? <code>{c.programmeId}</code>,
                    },
                    { header: t('applicant.vouchers.requested'), cell: (c) => formatCny(c.requestedCny) },
                    { header: t('applicant.vouchers.purpose'), cell: (c) => c.purpose },
                    { header: t('common.status'), cell: (c) => <ClaimStatus value={c.status} /> },
                    {
                      header: t('applicant.vouchers.code'),
                      cell: (c) => (c.voucher ? <code>{c.voucher.code}</code> : '—'),
                    },
                    {
                      header: t('applicant.vouchers.faceValue'),
                      cell: (c) => (c.voucher ? formatCny(c.voucher.faceValueCny) : '—'),
                    },
                    {
                      header: t('applicant.vouchers.expiresAt'),
                      cell: (c) => (c.voucher ? formatInstant(c.voucher.expiresAt) : '—'),
                    },
                    { header: t('applicant.vouchers.reason'), cell: (c) => c.reason ?? '—' },
                  ]}
                />
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

function ClaimForm(props: {
  platforms: readonly PublicPlatform[];
  initialPlatform?: string;
  programmes: readonly OpenProgramme[];
  onDone: () => void;
}) {
  const [platformId, setPlatformId] = useState(
    props.platforms.some((p) => p.id === props.initialPlatform)
      ? (props.initialPlatform ?? '')
      : (props.platforms[0]?.id ?? ''),
  );
  const [programmeId, setProgrammeId] = useState(props.programmes[0]?.id ?? '');
  const programme = props.programmes.find((p) => p.id === programmeId) ?? props.programmes[0];
  const [requested, setRequested] = useState('');
  const [purpose, setPurpose] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setMessage('');
    try {
      await post(
        `/v1/platforms/${encodeURIComponent(platformId)}/voucher-claims`,
        {
          programmeId: programme?.id ?? '',
          requestedCny: Math.trunc(Number(requested.replace(/[,\s]/g, ''))),
          purpose,
        },
        { idempotencyKey: key },
      );
      setMessage(t('applicant.vouchers.done'));
      setRequested('');
      setPurpose('');
      setKey(newIdempotencyKey());
      props.onDone();
    } catch (err) {
      setProblem(err);
      setKey(newIdempotencyKey());
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <div class="field">
        <label for="claim-platform">{t('applicant.vouchers.platform')}</label>
        <select
          id="claim-platform"
          value={platformId}
          onChange={(e) => setPlatformId((e.target as HTMLSelectElement).value)}
        >
          {props.platforms.map((p) => (
            <option key={p.id} value={p.id}>
              {p.hostName}
            </option>
          ))}
        </select>
        <small>
          <a href={`#/public/platforms/${encodeURIComponent(platformId)}`}>
            {t('applicant.vouchers.profile')}
          </a>
        </small>
      </div>
      <div class="field">
        <label for="claim-programme">{t('applicant.vouchers.programme')}</label>
        <select
          id="claim-programme"
          value={programme?.id}
          aria-describedby="claim-programme-hint claim-programme-rules"
          aria-invalid={fieldError(problem, 'programmeId') ? 'true' : undefined}
          onChange={(e) => setProgrammeId((e.target as HTMLSelectElement).value)}
        >
          {props.programmes.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <small id="claim-programme-hint">{t('applicant.vouchers.programmeHint')}</small>
        {fieldError(problem, 'programmeId') ? (
          <small class="error" role="alert">
            {fieldError(problem, 'programmeId')}
          </small>
        ) : null}
      </div>
      {programme ? <ProgrammeRules programme={programme} /> : null}
      <Field
        id="claim-requested"
        label={t('applicant.vouchers.requested')}
        type="number"
        value={requested}
        onInput={setRequested}
        required
        hint={
          programme
            ? t('applicant.vouchers.requestedHint', {
                min: formatCny(programme.faceValue.minCny),
                max: formatCny(programme.faceValue.maxCny),
              })
            : undefined
        }
        error={fieldError(problem, 'requestedCny')}
      />
      <Field
        id="claim-purpose"
        label={t('applicant.vouchers.purpose')}
        value={purpose}
        onInput={setPurpose}
        required
        error={fieldError(problem, 'purpose')}
      />
      <ProblemBox problem={problem} />
      <p role="status">{message}</p>
      <button type="submit" disabled={busy}>
        {t('applicant.vouchers.submit')}
      </button>
    </form>
  );
}

/** The published rules of a programme (what the server checks on the claim, the issue and the redemption). */
export function ProgrammeRules({ programme: p }: { programme: OpenProgramme }) {
  return (
    <div class="programme-rules" id="claim-programme-rules">
      <h3>
        {t('applicant.vouchers.rules')} · {p.name}
      </h3>
      <dl class="facts">
        <dt>{t('applicant.vouchers.window')}</dt>
        <dd>
          {t('applicant.vouchers.windowText', {
            from: formatInstant(p.validFrom),
            until: formatInstant(p.validUntil),
          })}
        </dd>
        <dt>{t('applicant.vouchers.faceRange')}</dt>
        <dd>
          {t('applicant.vouchers.faceRangeText', {
            min: formatCny(p.faceValue.minCny),
            max: formatCny(p.faceValue.maxCny),
          })}
        </dd>
        <dt>{t('applicant.vouchers.ratio')}</dt>
        <dd>
          {t('applicant.vouchers.ratioText', { pct: String(Math.round(p.maxSubsidyRatio * 10_000) / 100) })}
        </dd>
        <dt>{t('applicant.vouchers.cap')}</dt>
        <dd>{t('applicant.vouchers.capText', { cap: formatCny(p.perEnterpriseAnnualCapCny) })}</dd>
        <dt>{t('applicant.vouchers.validity')}</dt>
        <dd>{t('applicant.vouchers.validityText', { days: String(p.voucherValidityDays) })}</dd>
      </dl>
    </div>
  );
}
