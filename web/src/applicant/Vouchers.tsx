import { useState } from 'preact/hooks';
import { newIdempotencyKey, post } from '../api.ts';
import { addMessages, formatCny, formatInstant, t, useLang } from '../i18n.ts';
import { DataTable, Field, fieldError, Loading, ProblemBox, Section, useLoad } from '../ui.tsx';
import './Dashboard.tsx';
import './messages.ts';
import { allPages, myOrganisation } from './model.ts';
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
    'applicant.vouchers.programme': '算力券项目编号',
    'applicant.vouchers.programmeHint': '见产业办发布的算力券申领通知。',
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
    'applicant.vouchers.programme': 'Voucher programme id',
    'applicant.vouchers.programmeHint': 'As published in the office’s call for voucher claims.',
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

export function VouchersPage({ params }: { params: Record<string, string> }) {
  useLang();
  const data = useLoad(async () => {
    const [org, platforms, claims] = await Promise.all([
      myOrganisation(),
      allPages<PublicPlatform>('/v1/public/platforms', 300),
      allPages<Claim>('/v1/voucher-claims', 300),
    ]);
    return { org, platforms, claims };
  });
  const d = data.data;
  const names = Object.fromEntries((d?.platforms ?? []).map((p) => [p.id, p.hostName]));
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
              {d.platforms.length ? (
                <ClaimForm
                  platforms={d.platforms}
                  initialPlatform={params.platformId}
                  programmes={[...new Set(d.claims.map((c) => c.programmeId))]}
                  onDone={data.reload}
                />
              ) : (
                <p>{t('applicant.vouchers.noPlatforms')}</p>
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
  programmes: readonly string[];
  onDone: () => void;
}) {
  const [platformId, setPlatformId] = useState(
    props.platforms.some((p) => p.id === props.initialPlatform)
      ? (props.initialPlatform ?? '')
      : (props.platforms[0]?.id ?? ''),
  );
  const [programmeId, setProgrammeId] = useState(props.programmes[0] ?? '');
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
          programmeId: programmeId.trim(),
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
        <input
          id="claim-programme"
          list="claim-programmes"
          value={programmeId}
          autoComplete="off"
          aria-describedby="claim-programme-hint"
          aria-invalid={fieldError(problem, 'programmeId') ? 'true' : undefined}
          onInput={(e) => setProgrammeId((e.target as HTMLInputElement).value)}
        />
        <datalist id="claim-programmes">
          {props.programmes.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <small id="claim-programme-hint">{t('applicant.vouchers.programmeHint')}</small>
      </div>
      <Field
        id="claim-requested"
        label={t('applicant.vouchers.requested')}
        type="number"
        value={requested}
        onInput={setRequested}
        required
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
