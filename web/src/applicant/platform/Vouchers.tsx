import { useEffect, useState } from 'preact/hooks';
import { get, newIdempotencyKey, type PageOf, post } from '../../api.ts';
import { addMessages, formatCny, formatInstant, t } from '../../i18n.ts';
import { DataTable, Field, fieldError, ProblemBox, Section, useLoad } from '../../ui.tsx';
import '../messages.ts';
import { EvidenceAttach } from '../PlatformEvidence.tsx';
import type { Service } from './Catalogue.tsx';

/**
 * Compute vouchers of the platform (Art. 6(3), README "Compute vouchers"): enterprises' claims the host
 * decides (issue a voucher with a face value ≤ the amount requested, or reject with a reason: quota,
 * annual cap and claim state are the server's to check), and the redemption of a voucher code with the
 * contract, invoice and payment evidence (verified platform evidence) — the subsidy goes to settlement.
 */
addMessages(
  {
    'applicant.vch.claims': '算力券申领（第六条第三项）',
    'applicant.vch.pending': '待处理的申领',
    'applicant.vch.all': '全部申领',
    'applicant.vch.enterprise': '申领企业',
    'applicant.vch.requested': '申领金额',
    'applicant.vch.purpose': '用途',
    'applicant.vch.claimedAt': '申领时间',
    'applicant.vch.voucher': '算力券',
    'applicant.vch.faceValue': '发放面值（元）',
    'applicant.vch.faceValueHint': '不超过申领金额；默认等于申领金额。',
    'applicant.vch.reason': '驳回理由',
    'applicant.vch.issue': '发放算力券',
    'applicant.vch.reject': '驳回申领',
    'applicant.vch.issued': '已发放算力券 {code}，面值 {value}。',
    'applicant.vch.rejected': '已驳回该申领。',
    'applicant.vch.expires': '有效期至 {at}',
    'applicant.vch.redeem': '算力券核销',
    'applicant.vch.redeemIntro':
      '企业使用算力券购买本平台目录中的算力服务后，凭合同、发票和付款凭证申请核销；补贴不超过面值，也不超过合同金额的补贴比例（默认 30%）。',
    'applicant.vch.code': '算力券编号',
    'applicant.vch.service': '所购算力服务',
    'applicant.vch.noCompute': '目录中还没有列明提供方代码的算力服务，请先发布。',
    'applicant.vch.supplierUscc': '供应方统一社会信用代码',
    'applicant.vch.contractNo': '合同编号',
    'applicant.vch.contractAmount': '合同金额（元）',
    'applicant.vch.subsidy': '申请补贴金额（元）',
    'applicant.vch.evidence': '合同、发票和付款凭证',
    'applicant.vch.submitRedeem': '提交核销',
    'applicant.vch.redeemed': '核销已提交（{id}），补贴 {value}，等待产业办结算。',
    'applicant.vch.status.pending': '待处理',
    'applicant.vch.status.issued': '已发放',
    'applicant.vch.status.rejected': '已驳回',
    'applicant.vch.redemptions': '本平台的核销记录',
    'applicant.vch.redemptionsIntro':
      '核销提交后由产业办审核结算：通过后拨付补贴；未通过的，补贴额度退回平台可用额度，该合同可更正后用另一张券重新申请。',
    'applicant.vch.filedAt': '提交时间',
    'applicant.vch.contract': '合同',
    'applicant.vch.amounts': '合同金额 / 补贴 / 退回额度',
    'applicant.vch.settlement': '产业办意见',
    'applicant.vch.more': '加载更多核销记录',
    'applicant.vch.rstatus.pending_settlement': '待结算',
    'applicant.vch.rstatus.settled': '已结算',
    'applicant.vch.rstatus.settlement_rejected': '结算未通过',
  },
  {
    'applicant.vch.claims': 'Compute voucher claims (Art. 6(3))',
    'applicant.vch.pending': 'Claims to decide',
    'applicant.vch.all': 'All claims',
    'applicant.vch.enterprise': 'Enterprise',
    'applicant.vch.requested': 'Requested',
    'applicant.vch.purpose': 'Purpose',
    'applicant.vch.claimedAt': 'Claimed',
    'applicant.vch.voucher': 'Voucher',
    'applicant.vch.faceValue': 'Face value to issue (CNY)',
    'applicant.vch.faceValueHint': 'At most the amount requested; the amount requested if left as it is.',
    'applicant.vch.reason': 'Reason to reject',
    'applicant.vch.issue': 'Issue the voucher',
    'applicant.vch.reject': 'Reject the claim',
    'applicant.vch.issued': 'Voucher {code} issued, face value {value}.',
    'applicant.vch.rejected': 'The claim is rejected.',
    'applicant.vch.expires': 'valid until {at}',
    'applicant.vch.redeem': 'Redeem a voucher',
    'applicant.vch.redeemIntro':
      'When an enterprise has bought a compute service of this catalogue with a voucher, file the contract, the invoice and the payment; the subsidy is at most the face value and at most the programme’s share of the contract (30 % by default).',
    'applicant.vch.code': 'Voucher code',
    'applicant.vch.service': 'Compute service bought',
    'applicant.vch.noCompute':
      'The catalogue has no compute service with its provider’s code yet: publish one first.',
    'applicant.vch.supplierUscc': 'Supplier’s unified social credit code',
    'applicant.vch.contractNo': 'Contract number',
    'applicant.vch.contractAmount': 'Contract amount (CNY)',
    'applicant.vch.subsidy': 'Subsidy claimed (CNY)',
    'applicant.vch.evidence': 'contract, invoice and payment',
    'applicant.vch.submitRedeem': 'File the redemption',
    'applicant.vch.redeemed': 'Redemption {id} filed, subsidy {value}; the office settles it.',
    'applicant.vch.status.pending': 'Pending',
    'applicant.vch.status.issued': 'Issued',
    'applicant.vch.status.rejected': 'Rejected',
    'applicant.vch.redemptions': 'Redemptions of this platform',
    'applicant.vch.redemptionsIntro':
      'The office settles each redemption: once approved the subsidy is paid; when rejected the subsidy returns to the platform’s available quota and the contract may be filed again, corrected, with another voucher.',
    'applicant.vch.filedAt': 'Filed',
    'applicant.vch.contract': 'Contract',
    'applicant.vch.amounts': 'Contract / subsidy / returned to quota',
    'applicant.vch.settlement': 'Office’s opinion',
    'applicant.vch.more': 'Load more redemptions',
    'applicant.vch.rstatus.pending_settlement': 'Pending settlement',
    'applicant.vch.rstatus.settled': 'Settled',
    'applicant.vch.rstatus.settlement_rejected': 'Settlement rejected',
  },
);

export interface Claim {
  id: string;
  programmeId: string;
  platformId: string;
  orgName: string;
  orgUscc: string;
  requestedCny: number;
  purpose: string;
  status: 'pending' | 'issued' | 'rejected';
  createdAt: string;
  decidedAt?: string;
  reason?: string;
  voucher?: { code: string; faceValueCny: number; expiresAt: string };
}

/** `GET /v1/platforms/{platformId}/redemptions`: a redemption with its settlement state. */
export interface PlatformRedemption {
  id: string;
  code: string;
  buyerUscc: string;
  supplierUscc: string;
  serviceId: string;
  contractNo: string;
  contractAmountCny: number;
  subsidyCny: number;
  returnedCny: number;
  status: 'pending_settlement' | 'settled' | 'settlement_rejected';
  filedAt: string;
  decidedAt?: string;
  opinion?: string;
}

const toInt = (s: string) => Math.trunc(Number(s.replace(/[,\s]/g, '')));

/** A claim's state in words (the portal's shared status words name application states). */
export function ClaimStatus({ value }: { value: Claim['status'] }) {
  return <span class={`status status-${value}`}>{t(`applicant.vch.status.${value}`)}</span>;
}

export function VoucherClaims({ platformId }: { platformId: string }) {
  const list = useLoad(
    () => get<PageOf<Claim>>(`/v1/platforms/${platformId}/voucher-claims?limit=100`),
    [platformId],
  );
  const [message, setMessage] = useState('');
  const claims = list.data?.items ?? [];
  const pending = claims.filter((c) => c.status === 'pending');
  return (
    <>
      <Section title={t('applicant.vch.claims')}>
        <ProblemBox problem={list.problem} />
        <p role="status">{message}</p>
        <h3>{t('applicant.vch.pending')}</h3>
        {pending.length ? (
          <ul class="cards plain claim-cards">
            {pending.map((c) => (
              <ClaimDecision
                key={c.id}
                claim={c}
                onDone={(text) => {
                  setMessage(text);
                  list.reload();
                }}
              />
            ))}
          </ul>
        ) : (
          <p>{t('common.none')}</p>
        )}
        <h3>{t('applicant.vch.all')}</h3>
        {claims.length ? (
          <DataTable
            label={t('applicant.vch.all')}
            rows={claims}
            rowKey={(c) => c.id}
            columns={[
              {
                header: t('applicant.vch.enterprise'),
                cell: (c) => (
                  <>
                    {c.orgName}
                    <br />
                    <code>{c.orgUscc}</code>
                  </>
                ),
              },
              { header: t('applicant.vch.requested'), cell: (c) => formatCny(c.requestedCny) },
              { header: t('applicant.vch.purpose'), cell: (c) => c.purpose },
              { header: t('applicant.vch.claimedAt'), cell: (c) => formatInstant(c.createdAt) },
              { header: t('common.status'), cell: (c) => <ClaimStatus value={c.status} /> },
              {
                header: t('applicant.vch.voucher'),
                cell: (c) =>
                  c.voucher ? (
                    <>
                      <code>{c.voucher.code}</code> · {formatCny(c.voucher.faceValueCny)} ·{' '}
                      {t('applicant.vch.expires', { at: formatInstant(c.voucher.expiresAt) })}
                    </>
                  ) : (
                    (c.reason ?? '—')
                  ),
              },
            ]}
          />
        ) : (
          <p>{t('common.none')}</p>
        )}
      </Section>
      <Redemption platformId={platformId} claims={claims} />
    </>
  );
}

function ClaimDecision({ claim, onDone }: { claim: Claim; onDone: (message: string) => void }) {
  const [face, setFace] = useState(String(claim.requestedCny));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const decide = async (decision: 'issue' | 'reject') => {
    setBusy(true);
    setProblem(undefined);
    try {
      const res = await post<Claim>(
        `/v1/voucher-claims/${claim.id}/decision`,
        decision === 'issue' ? { decision, faceValueCny: toInt(face) } : { decision, reason },
      );
      onDone(
        decision === 'issue' && res.voucher
          ? t('applicant.vch.issued', { code: res.voucher.code, value: formatCny(res.voucher.faceValueCny) })
          : t('applicant.vch.rejected'),
      );
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  const idp = `claim-${claim.id}`;
  return (
    <li class="card" data-claim={claim.id}>
      <p>
        <strong>{claim.orgName}</strong> · <code>{claim.orgUscc}</code>
      </p>
      <p>
        {t('applicant.vch.requested')} {formatCny(claim.requestedCny)} · {claim.purpose} ·{' '}
        {formatInstant(claim.createdAt)}
      </p>
      <Field
        id={`${idp}-face`}
        label={`${t('applicant.vch.faceValue')} · ${claim.orgName}`}
        type="number"
        value={face}
        onInput={setFace}
        hint={t('applicant.vch.faceValueHint')}
        error={fieldError(problem, 'faceValueCny')}
      />
      <Field
        id={`${idp}-reason`}
        label={`${t('applicant.vch.reason')} · ${claim.orgName}`}
        value={reason}
        onInput={setReason}
        error={fieldError(problem, 'reason')}
      />
      <ProblemBox problem={problem} />
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => void decide('issue')}>
          {t('applicant.vch.issue')}
          <span class="visually-hidden"> · {claim.orgName}</span>
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void decide('reject')}>
          {t('applicant.vch.reject')}
          <span class="visually-hidden"> · {claim.orgName}</span>
        </button>
      </div>
    </li>
  );
}

/** A redemption's settlement state in words. */
export function RedemptionStatus({ value }: { value: PlatformRedemption['status'] }) {
  return <span class={`status status-${value}`}>{t(`applicant.vch.rstatus.${value}`)}</span>;
}

function Redemption(props: { platformId: string; claims: readonly Claim[] }) {
  const codes = props.claims.flatMap((c) => (c.voucher ? [c.voucher] : []));
  const [filed, setFiled] = useState(0);
  const services = useLoad(
    () => get<{ items: Service[] }>(`/v1/platforms/${props.platformId}/services?limit=100`),
    [props.platformId],
  );
  const compute = (services.data?.items ?? []).filter(
    (s) => s.category === 'compute' && s.providerUscc && !s.hidden,
  );
  const [f, setF] = useState({ code: '', serviceId: '', contractNo: '', contractAmount: '', subsidy: '' });
  const [ids, setIds] = useState<string[]>([]);
  const [attachKey, setAttachKey] = useState(0);
  const [problem, setProblem] = useState<unknown>();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const service = compute.find((s) => s.serviceId === f.serviceId) ?? compute[0];
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setMessage('');
    try {
      const res = await post<{ id: string; subsidyCny: number }>(
        `/v1/vouchers/${encodeURIComponent(f.code.trim().toUpperCase())}/redemptions`,
        {
          supplierUscc: service?.providerUscc ?? '',
          serviceId: service?.serviceId ?? '',
          contractNo: f.contractNo,
          contractAmountCny: toInt(f.contractAmount),
          subsidyCny: toInt(f.subsidy),
          evidenceIds: ids,
        },
        { idempotencyKey: key },
      );
      setMessage(t('applicant.vch.redeemed', { id: res.id, value: formatCny(res.subsidyCny) }));
      setFiled((n) => n + 1);
      setF({ code: '', serviceId: '', contractNo: '', contractAmount: '', subsidy: '' });
      setAttachKey((k) => k + 1);
      setKey(newIdempotencyKey());
    } catch (err) {
      setProblem(err);
      setKey(newIdempotencyKey());
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t('applicant.vch.redeem')}>
      <p>{t('applicant.vch.redeemIntro')}</p>
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="rdm-code">{t('applicant.vch.code')}</label>
          <input
            id="rdm-code"
            list="rdm-codes"
            value={f.code}
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => set('code')((e.target as HTMLInputElement).value)}
          />
          <datalist id="rdm-codes">
            {codes.map((c) => (
              <option key={c.code} value={c.code}>
                {formatCny(c.faceValueCny)}
              </option>
            ))}
          </datalist>
        </div>
        {compute.length ? (
          <div class="field">
            <label for="rdm-service">{t('applicant.vch.service')}</label>
            <select
              id="rdm-service"
              value={service?.serviceId}
              onChange={(e) => set('serviceId')((e.target as HTMLSelectElement).value)}
            >
              {compute.map((s) => (
                <option key={s.serviceId} value={s.serviceId}>
                  {s.name} · {s.provider}
                </option>
              ))}
            </select>
            <small>
              {t('applicant.vch.supplierUscc')}: <code>{service?.providerUscc}</code>
            </small>
          </div>
        ) : (
          <p class="warning">{t('applicant.vch.noCompute')}</p>
        )}
        <Field
          id="rdm-contract"
          label={t('applicant.vch.contractNo')}
          value={f.contractNo}
          onInput={set('contractNo')}
          required
          error={fieldError(problem, 'contractNo')}
        />
        <Field
          id="rdm-amount"
          label={t('applicant.vch.contractAmount')}
          type="number"
          value={f.contractAmount}
          onInput={set('contractAmount')}
          required
          error={fieldError(problem, 'contractAmountCny')}
        />
        <Field
          id="rdm-subsidy"
          label={t('applicant.vch.subsidy')}
          type="number"
          value={f.subsidy}
          onInput={set('subsidy')}
          required
          error={fieldError(problem, 'subsidyCny')}
        />
        <EvidenceAttach
          key={attachKey}
          id="rdm-evidence"
          label={t('applicant.vch.evidence')}
          kind="voucher_settlement"
          createPath={`/v1/platforms/${props.platformId}/evidence`}
          confirmPath={(id) => `/v1/platforms/${props.platformId}/evidence/${id}/confirm`}
          onIds={setIds}
        />
        <ProblemBox problem={problem} />
        <p role="status">{message}</p>
        <button type="submit" disabled={busy || !compute.length}>
          {t('applicant.vch.submitRedeem')}
        </button>
      </form>
      <Redemptions platformId={props.platformId} claims={props.claims} reloadKey={filed} />
    </Section>
  );
}

/**
 * The platform's redemptions, newest first, with the office's settlement (`GET
 * /v1/platforms/{platformId}/redemptions`); reloaded when one is filed, more pages on request.
 */
function Redemptions(props: { platformId: string; claims: readonly Claim[]; reloadKey: number }) {
  const [items, setItems] = useState<PlatformRedemption[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<unknown>();
  const enterprise = new Map(
    props.claims.flatMap((c) => (c.voucher ? [[c.voucher.code, c.orgName] as const] : [])),
  );
  const load = async (from?: string) => {
    setLoading(true);
    setProblem(undefined);
    try {
      const page = await get<PageOf<PlatformRedemption>>(
        `/v1/platforms/${encodeURIComponent(props.platformId)}/redemptions?limit=25${
          from ? `&cursor=${encodeURIComponent(from)}` : ''
        }`,
      );
      setItems((xs) => (from ? [...xs, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setProblem(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, [props.platformId, props.reloadKey]);
  return (
    <div class="redemptions" aria-busy={loading ? 'true' : undefined}>
      <h3>{t('applicant.vch.redemptions')}</h3>
      <p>{t('applicant.vch.redemptionsIntro')}</p>
      <ProblemBox problem={problem} />
      {items.length ? (
        <DataTable
          label={t('applicant.vch.redemptions')}
          rows={items}
          rowKey={(r) => r.id}
          columns={[
            { header: t('applicant.vch.filedAt'), cell: (r) => formatInstant(r.filedAt) },
            {
              header: t('applicant.vch.code'),
              cell: (r) => (
                <>
                  <code>{r.code}</code>
                  <br />
                  {enterprise.get(r.code) ?? <code>{r.buyerUscc}</code>}
                </>
              ),
            },
            {
              header: t('applicant.vch.contract'),
              cell: (r) => (
                <>
                  {r.contractNo}
                  <br />
                  <code>{r.supplierUscc}</code> · {r.serviceId}
                </>
              ),
            },
            {
              header: t('applicant.vch.amounts'),
              cell: (r) =>
                `${formatCny(r.contractAmountCny)} / ${formatCny(r.subsidyCny)} / ${formatCny(r.returnedCny)}`,
            },
            { header: t('common.status'), cell: (r) => <RedemptionStatus value={r.status} /> },
            {
              header: t('applicant.vch.settlement'),
              cell: (r) =>
                r.decidedAt ? (
                  <>
                    {r.opinion ?? '—'}
                    <br />
                    <small>{formatInstant(r.decidedAt)}</small>
                  </>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      ) : loading ? (
        <p>{t('common.loading')}</p>
      ) : (
        <p>{t('common.none')}</p>
      )}
      {cursor ? (
        <button type="button" disabled={loading} onClick={() => void load(cursor)}>
          {t('applicant.vch.more')}
        </button>
      ) : null}
    </div>
  );
}
