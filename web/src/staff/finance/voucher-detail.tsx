import { useState } from 'preact/hooks';
import { ApiProblem, allPages, get, newIdempotencyKey, post } from '../../api.ts';
import { formatInstant, t, useLang } from '../../i18n.ts';
import { hasRole, useSession } from '../../session.ts';
import {
  DataTable,
  Field,
  fieldError,
  Loading,
  Pager,
  ProblemBox,
  Section,
  Status,
  TableScroll,
  useCursor,
  useLoad,
} from '../../ui.tsx';
import { enc, openPlatformEvidence, yuan } from './common.tsx';
import './messages.ts';
import type { Programme } from './vouchers.tsx';

/**
 * One voucher programme (Art. 6(3)): its rules and unallocated budget; the officer's allocation of quota
 * to an active platform (409 BUDGET_EXCEEDED named with what is left); the supervision report — per
 * platform and month, the ledger identity budget = unallocated + available + issued + redeemed +
 * settled + expired with "balanced" in words, and enterprises served against the commitment; the
 * redemptions with their evidence and the officer's settlement decision; and every ledger movement.
 * An observer (Art. 11) sees the programme's own budget figures and the voucher business of the platforms
 * whose data owner's `vouchers` consent is valid; the others are named, with the quota the office
 * allocated, and why they are not shown — never as empty tables or zeros.
 */
interface Buckets {
  allocatedCny: number;
  availableCny: number;
  issuedCny: number;
  redeemedCny: number;
  settledCny: number;
  expiredCny: number;
}
interface Month {
  month: string;
  allocatedCny: number;
  issuedCny: number;
  issuedCount: number;
  redeemedCny: number;
  redeemedCount: number;
  returnedCny: number;
  settledCny: number;
  settledCount: number;
  settlementRejectedCny: number;
  settlementRejectedCount: number;
  expiredCny: number;
  expiredCount: number;
}
interface Report {
  generatedAt: string;
  totals: {
    budgetCny: number;
    unallocatedCny: number;
    availableCny: number;
    issuedCny: number;
    redeemedCny: number;
    settledCny: number;
    expiredCny: number;
    sumCny: number;
  };
  balanced: boolean;
  platforms: {
    platformId: string;
    hostName?: string;
    buckets: Buckets;
    balanced: boolean;
    months: Month[];
  }[];
  enterprisesServed: {
    platformId: string;
    year: number;
    count: number;
    committed: number;
    meetsCommitment: boolean;
  }[];
  /** Observers only (Art. 11): platforms without a valid `vouchers` consent, named with the office's quota. */
  withheld?: Withheld;
}
interface Withheld {
  scope: 'vouchers';
  platforms: { platformId: string; hostName?: string; allocatedCny: number }[];
}
/** A page of a programme-wide list; `withheld` names the platforms an observer's page leaves out (Art. 11). */
interface SharedPage<T> {
  items: T[];
  nextCursor?: string;
  withheld?: { scope: 'vouchers'; platformIds: string[] };
}
interface Redemption {
  id: string;
  code: string;
  platformId: string;
  buyerUscc: string;
  supplierUscc: string;
  serviceId: string;
  contractNo: string;
  contractAmountCny: number;
  subsidyCny: number;
  faceValueCny: number;
  returnedCny: number;
  evidenceManifest: {
    evidenceId: string;
    kind: string;
    fileName: string;
    sha256: string;
    sizeBytes: number;
  }[];
  status: string;
  filedBy: string;
  filedAt: string;
  decidedAt?: string;
  decidedBy?: string;
  opinion?: string;
}
interface LedgerEntry {
  id: string;
  at: string;
  kind: string;
  amountCny: number;
  from: string;
  to: string;
  platformId?: string;
  code?: string;
  redemptionId?: string;
  actor: string;
}
interface ActivePlatform {
  id: string;
  hostName: string;
}

export function VoucherDetail({ params }: { params: Record<string, string> }) {
  useLang();
  const s = useSession();
  const officer = hasRole(s, 'officer');
  const supervisor = hasRole(s, 'officer', 'approver', 'observer');
  // Observers who are not office staff read under the data owners' consents (the server decides).
  const observer = hasRole(s, 'observer') && !hasRole(s, 'officer', 'approver', 'admin');
  const id = params.id ?? '';
  const programme = useLoad(() => get<Programme>(`/v1/voucher-programmes/${enc(id)}`), [id]);
  // The report and the ledger are for supervisors (officer, approver, observer): not for admins.
  const report = useLoad(
    () =>
      supervisor
        ? get<Report>(`/v1/voucher-programmes/${enc(id)}/report`)
        : Promise.resolve(undefined as Report | undefined),
    [id, supervisor],
  );
  const [notice, setNotice] = useState('');
  const changed = (message: string) => {
    setNotice(message);
    programme.reload();
    report.reload();
  };
  const p = programme.data;
  const hostNames = new Map(
    [...(report.data?.platforms ?? []), ...(report.data?.withheld?.platforms ?? [])].map((x) => [
      x.platformId,
      x.hostName ?? x.platformId,
    ]),
  );
  const host = (platformId: string) => hostNames.get(platformId) ?? platformId;
  return (
    <main id="main">
      <p>
        <a href="#/staff/vouchers">← {t('fin.vouchers')}</a>
      </p>
      <h1>{p ? p.name : t('fin.voucher')}</h1>
      <p role="status" class="ok">
        {notice}
      </p>
      <ProblemBox problem={programme.problem} />
      <Loading when={programme.loading && !p}>
        {p ? (
          <>
            <dl class="staff-facts">
              <dt>{t('fin.vouchers.budget')}</dt>
              <dd>{yuan(p.budgetCny)}</dd>
              <dt>{t('fin.vouchers.unallocated')}</dt>
              <dd>{yuan(p.unallocatedCny)}</dd>
              <dt>{t('fin.vouchers.window')}</dt>
              <dd>
                {formatInstant(p.validFrom)} – {formatInstant(p.validUntil)}
              </dd>
              <dt>{t('fin.vouchers.ratio')}</dt>
              <dd>{p.maxSubsidyRatio}</dd>
              <dt>{t('fin.vouchers.cap')}</dt>
              <dd>{yuan(p.perEnterpriseAnnualCapCny)}</dd>
              <dt>{t('fin.vouchers.face')}</dt>
              <dd>
                {yuan(p.faceValue.minCny)} – {yuan(p.faceValue.maxCny)}
              </dd>
              <dt>{t('fin.vouchers.validityDays')}</dt>
              <dd>{p.voucherValidityDays}</dd>
            </dl>
            {officer ? (
              <Allocate
                programme={p}
                onDone={(platform, quota) => changed(t('fin.alloc.done', { platform, quota: yuan(quota) }))}
              />
            ) : null}
          </>
        ) : null}
      </Loading>
      {supervisor ? (
        <>
          <ProblemBox problem={report.problem} />
          <Loading when={report.loading && !report.data}>
            {report.data ? <ReportView r={report.data} observer={observer} /> : null}
          </Loading>
        </>
      ) : null}
      <Redemptions
        programmeId={id}
        canSettle={officer}
        host={host}
        onSettled={(decision) => changed(t(`fin.settle.done.${decision}`))}
        version={report.data?.generatedAt ?? ''}
      />
      {supervisor ? <Ledger programmeId={id} host={host} version={report.data?.generatedAt ?? ''} /> : null}
    </main>
  );
}

function Allocate(props: { programme: Programme; onDone: (platform: string, quota: number) => void }) {
  const platforms = useLoad(() => allPages<ActivePlatform>('/v1/public/platforms', 1000), []);
  const [platformId, setPlatformId] = useState('');
  const [quota, setQuota] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await post(
        `/v1/voucher-programmes/${enc(props.programme.id)}/allocations`,
        { platformId, quotaCny: Number(quota) },
        { idempotencyKey: key },
      );
      setKey(newIdempotencyKey());
      const name = platforms.data?.find((x) => x.id === platformId)?.hostName ?? platformId;
      props.onDone(name, Number(quota));
      setQuota('');
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  const over =
    problem instanceof ApiProblem && problem.code === 'BUDGET_EXCEEDED'
      ? t('fin.alloc.over', { left: yuan(props.programme.unallocatedCny) })
      : undefined;
  const platformError = fieldError(problem, 'platformId');
  return (
    <Section title={t('fin.alloc')}>
      <p>{t('fin.alloc.explain')}</p>
      <form onSubmit={submit}>
        <div class="field">
          <label for="alloc-platform">{t('fin.alloc.platform')}</label>
          <select
            id="alloc-platform"
            required
            value={platformId}
            aria-invalid={platformError ? 'true' : undefined}
            onChange={(e) => {
              setPlatformId((e.target as HTMLSelectElement).value);
              setKey(newIdempotencyKey());
            }}
          >
            <option value="">{platforms.loading ? t('common.loading') : t('fin.alloc.choose')}</option>
            {(platforms.data ?? []).map((x) => (
              <option key={x.id} value={x.id}>
                {x.hostName} ({x.id})
              </option>
            ))}
          </select>
          {platformError ? (
            <small class="error" role="alert">
              {platformError}
            </small>
          ) : null}
        </div>
        <Field
          id="alloc-quota"
          label={t('fin.alloc.quota')}
          type="number"
          value={quota}
          onInput={(v) => {
            setQuota(v);
            setKey(newIdempotencyKey());
          }}
          hint={t('fin.alloc.left', { left: yuan(props.programme.unallocatedCny) })}
          error={fieldError(problem, 'quotaCny') ?? over}
          required
        />
        <ProblemBox problem={problem} />
        <button type="submit" disabled={busy}>
          {t('fin.alloc.submit')}
        </button>
      </form>
    </Section>
  );
}

const BUCKETS = ['unallocated', 'available', 'issued', 'redeemed', 'settled', 'expired'] as const;

/** What an observer's report leaves out (Art. 11): the platforms named, with the quota the office allocated. */
function WithheldPlatforms({ withheld }: { withheld: Withheld }) {
  return (
    <section aria-labelledby="withheld-platforms-title">
      <h3 id="withheld-platforms-title">{t('fin.share.withheld.title')}</h3>
      <p id="withheld-platforms-count">{t('fin.share.withheld.count', { n: withheld.platforms.length })}</p>
      <DataTable
        label={t('fin.share.withheld.table')}
        rows={withheld.platforms}
        rowKey={(x) => x.platformId}
        columns={[
          { header: t('fin.report.platform'), cell: (x) => x.hostName ?? x.platformId },
          { header: t('fin.share.withheld.quota'), cell: (x) => yuan(x.allocatedCny) },
          { header: t('fin.share.withheld.why'), cell: () => t('fin.share.withheld.reason') },
        ]}
      />
    </section>
  );
}

function ReportView({ r, observer }: { r: Report; observer: boolean }) {
  const tot = r.totals;
  const withheld = r.withheld?.platforms.length ? r.withheld : undefined;
  const amount = (b: (typeof BUCKETS)[number]) => tot[`${b}Cny`];
  return (
    <Section title={t('fin.report')}>
      <p class="fin-note">{t('fin.report.generated', { at: formatInstant(r.generatedAt) })}</p>
      <h3>{t('fin.report.identity')}</h3>
      <p class="fin-identity" id="ledger-identity">
        {t('fin.report.budget')} {yuan(tot.budgetCny)} ={' '}
        {BUCKETS.map((b, i) => (
          <span key={b}>
            {i ? ' + ' : ''}
            {t(`fin.bucket.${b}`)} {yuan(amount(b))}
          </span>
        ))}
      </p>
      <p>
        <strong class={r.balanced ? 'ok' : 'error'} id="ledger-balanced">
          {r.balanced
            ? `✓ ${t('fin.report.balanced', { sum: yuan(tot.sumCny) })}`
            : `✗ ${t('fin.report.unbalanced', { sum: yuan(tot.sumCny), budget: yuan(tot.budgetCny) })}`}
        </strong>
      </p>
      <TableScroll label={t('fin.report.totals')}>
        <table aria-label={t('fin.report.totals')}>
          <caption>{t('fin.report.totals')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('fin.report.bucket')}</th>
              <th scope="col">{t('fin.report.amount')}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{t('fin.report.budget')}</th>
              <td>{yuan(tot.budgetCny)}</td>
            </tr>
            {BUCKETS.map((b) => (
              <tr key={b}>
                <th scope="row">{t(`fin.bucket.${b}`)}</th>
                <td>{yuan(amount(b))}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">{t('fin.report.sum')}</th>
              <td>{yuan(tot.sumCny)}</td>
            </tr>
          </tbody>
        </table>
      </TableScroll>
      {observer ? (
        <div class="share-note" id="sharing-note">
          <p>{t('fin.share.observer')}</p>
          <p>{t('fin.share.report.office')}</p>
          <p>
            <strong>
              {!withheld
                ? t('fin.share.report.allShared', { n: r.platforms.length })
                : r.platforms.length
                  ? t('fin.share.report.shownOf', {
                      shown: r.platforms.length,
                      withheld: withheld.platforms.length,
                    })
                  : t('fin.share.report.noneShared')}
            </strong>
          </p>
        </div>
      ) : null}
      <h3>{t('fin.report.byPlatform')}</h3>
      {r.platforms.length ? (
        <TableScroll label={t('fin.report.byPlatform')}>
          <table aria-label={t('fin.report.byPlatform')}>
            <thead>
              <tr>
                <th scope="col">{t('fin.report.platform')}</th>
                <th scope="col">{t('fin.bucket.allocated')}</th>
                {BUCKETS.slice(1).map((b) => (
                  <th key={b} scope="col">
                    {t(`fin.bucket.${b}`)}
                  </th>
                ))}
                <th scope="col">{t('fin.report.check')}</th>
              </tr>
            </thead>
            <tbody>
              {r.platforms.map((x) => (
                <tr key={x.platformId}>
                  <th scope="row">{x.hostName ?? x.platformId}</th>
                  <td>{yuan(x.buckets.allocatedCny)}</td>
                  {BUCKETS.slice(1).map((b) => (
                    <td key={b}>{yuan(x.buckets[`${b}Cny` as keyof Buckets])}</td>
                  ))}
                  <td>{x.balanced ? `✓ ${t('fin.report.ok')}` : `✗ ${t('fin.report.notOk')}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <p>{withheld ? t('fin.share.report.noneShared') : t('fin.report.noPlatforms')}</p>
      )}
      <h3>{t('fin.report.byMonth')}</h3>
      {r.platforms.some((x) => x.months.length) ? (
        <TableScroll label={t('fin.report.byMonth')}>
          <table aria-label={t('fin.report.byMonth')}>
            <thead>
              <tr>
                <th scope="col">{t('fin.report.platform')}</th>
                <th scope="col">{t('fin.report.month')}</th>
                <th scope="col">{t('fin.m.allocated')}</th>
                <th scope="col">{t('fin.m.issued')}</th>
                <th scope="col">{t('fin.m.redeemed')}</th>
                <th scope="col">{t('fin.m.returned')}</th>
                <th scope="col">{t('fin.m.settled')}</th>
                <th scope="col">{t('fin.m.rejected')}</th>
                <th scope="col">{t('fin.m.expired')}</th>
              </tr>
            </thead>
            <tbody>
              {r.platforms.flatMap((x) =>
                x.months.map((m) => (
                  <tr key={`${x.platformId}-${m.month}`}>
                    <th scope="row">{x.hostName ?? x.platformId}</th>
                    <td>{m.month}</td>
                    <td>{yuan(m.allocatedCny)}</td>
                    <td>{t('fin.m.count', { cny: yuan(m.issuedCny), n: m.issuedCount })}</td>
                    <td>{t('fin.m.count', { cny: yuan(m.redeemedCny), n: m.redeemedCount })}</td>
                    <td>{yuan(m.returnedCny)}</td>
                    <td>{t('fin.m.count', { cny: yuan(m.settledCny), n: m.settledCount })}</td>
                    <td>
                      {t('fin.m.count', { cny: yuan(m.settlementRejectedCny), n: m.settlementRejectedCount })}
                    </td>
                    <td>{t('fin.m.count', { cny: yuan(m.expiredCny), n: m.expiredCount })}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <p>{t('common.none')}</p>
      )}
      <h3>{t('fin.report.served')}</h3>
      {r.enterprisesServed.length ? (
        <DataTable
          label={t('fin.report.served')}
          rows={r.enterprisesServed}
          rowKey={(e) => `${e.platformId}-${e.year}`}
          columns={[
            {
              header: t('fin.report.platform'),
              cell: (e) => r.platforms.find((x) => x.platformId === e.platformId)?.hostName ?? e.platformId,
            },
            { header: t('fin.report.year'), cell: (e) => e.year },
            { header: t('fin.report.servedCount'), cell: (e) => e.count },
            { header: t('fin.report.committed'), cell: (e) => e.committed },
            {
              header: t('fin.report.check'),
              cell: (e) => (e.meetsCommitment ? `✓ ${t('fin.evald.meets')}` : `✗ ${t('fin.evald.below')}`),
            },
          ]}
        />
      ) : (
        <p>{t('common.none')}</p>
      )}
      {withheld ? <WithheldPlatforms withheld={withheld} /> : null}
    </Section>
  );
}

/** The platforms an observer's page leaves out, by name (Art. 11). */
const withheldNames = (page: SharedPage<unknown> | undefined, host: (platformId: string) => string) =>
  page?.withheld?.platformIds.length
    ? { n: page.withheld.platformIds.length, names: page.withheld.platformIds.map(host).join('、') }
    : undefined;

function Redemptions(props: {
  programmeId: string;
  canSettle: boolean;
  host: (platformId: string) => string;
  onSettled: (decision: string) => void;
  version: string;
}) {
  const pager = useCursor();
  const list = useLoad(
    () =>
      get<SharedPage<Redemption>>(
        `/v1/voucher-programmes/${enc(props.programmeId)}/redemptions?limit=25${pager.cursor ? `&cursor=${enc(pager.cursor)}` : ''}`,
      ),
    [props.programmeId, pager.cursor, props.version],
  );
  const items = list.data?.items ?? [];
  const pending = items.filter((r) => r.status === 'pending_settlement').length;
  const withheld = withheldNames(list.data, props.host);
  return (
    <Section title={t('fin.redemptions')}>
      <p>{t('fin.redemptions.explain', { n: pending })}</p>
      {withheld ? (
        <p class="share-note" id="redemptions-withheld">
          {t('fin.share.redemptions', withheld)}
        </p>
      ) : null}
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        {items.length ? (
          <ul class="fin-cards">
            {items.map((r) => (
              <RedemptionCard
                key={r.id}
                r={r}
                host={props.host(r.platformId)}
                canSettle={props.canSettle}
                onSettled={(d) => {
                  props.onSettled(d);
                  list.reload();
                }}
              />
            ))}
          </ul>
        ) : withheld ? null : (
          <p>{t('fin.redemptions.none')}</p>
        )}
        <Pager
          class="fin-pager"
          label={t('fin.redemptions')}
          pager={pager}
          nextCursor={list.data?.nextCursor}
        />
      </Loading>
    </Section>
  );
}

function RedemptionCard(props: {
  r: Redemption;
  host: string;
  canSettle: boolean;
  onSettled: (decision: string) => void;
}) {
  const { r } = props;
  const [decision, setDecision] = useState<'approve' | 'reject' | ''>('');
  const [opinion, setOpinion] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const fid = `settle-${r.id}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await post(`/v1/redemptions/${enc(r.id)}/settlement`, { decision, opinion });
      props.onSettled(decision);
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  const open = async (evidenceId: string) => {
    setProblem(undefined);
    try {
      await openPlatformEvidence(r.platformId, evidenceId);
    } catch (err) {
      setProblem(err);
    }
  };
  return (
    <li class="card" aria-labelledby={`${fid}-title`}>
      <h3 id={`${fid}-title`} class="fin-card-title">
        {t('fin.redemption.title', { code: r.code, contract: r.contractNo })} <Status value={r.status} />
      </h3>
      <dl class="staff-facts">
        <dt>{t('fin.report.platform')}</dt>
        <dd>{props.host}</dd>
        <dt>{t('fin.redemption.buyer')}</dt>
        <dd>
          <code>{r.buyerUscc}</code>
        </dd>
        <dt>{t('fin.redemption.supplier')}</dt>
        <dd>
          <code>{r.supplierUscc}</code> · {r.serviceId}
        </dd>
        <dt>{t('fin.redemption.contract')}</dt>
        <dd>{yuan(r.contractAmountCny)}</dd>
        <dt>{t('fin.redemption.subsidy')}</dt>
        <dd>
          {t('fin.redemption.subsidyOf', {
            subsidy: yuan(r.subsidyCny),
            face: yuan(r.faceValueCny),
            returned: yuan(r.returnedCny),
          })}
        </dd>
        <dt>{t('fin.redemption.filed')}</dt>
        <dd>
          {formatInstant(r.filedAt)} ({r.filedBy})
        </dd>
        {r.decidedAt ? (
          <>
            <dt>{t('fin.redemption.decided')}</dt>
            <dd>
              {formatInstant(r.decidedAt)} ({r.decidedBy}){r.opinion ? `：${r.opinion}` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      <h4>{t('fin.redemption.evidence')}</h4>
      <ul>
        {r.evidenceManifest.map((m) => (
          <li key={m.evidenceId}>
            <button
              type="button"
              class="link"
              aria-label={t('staff.evidence.download', { name: m.fileName })}
              onClick={() => open(m.evidenceId)}
            >
              ⬇ {m.fileName}
            </button>{' '}
            <small>
              ({(m.sizeBytes / 1024).toFixed(1)} KiB, SHA-256 <code>{m.sha256.slice(0, 12)}…</code>)
            </small>
          </li>
        ))}
      </ul>
      <ProblemBox problem={problem} />
      {props.canSettle && r.status === 'pending_settlement' ? (
        <form onSubmit={submit} aria-label={t('fin.settle.form', { code: r.code })}>
          <fieldset class="field">
            <legend>{t('fin.settle.decision')}</legend>
            <label class="choice">
              <input
                type="radio"
                name={`${fid}-decision`}
                value="approve"
                required
                checked={decision === 'approve'}
                onChange={() => setDecision('approve')}
              />{' '}
              {t('fin.settle.approve')}
            </label>
            <label class="choice">
              <input
                type="radio"
                name={`${fid}-decision`}
                value="reject"
                checked={decision === 'reject'}
                onChange={() => setDecision('reject')}
              />{' '}
              {t('fin.settle.reject')}
            </label>
          </fieldset>
          <div class="field">
            <label for={`${fid}-opinion`}>
              {decision === 'reject' ? t('fin.settle.reason') : t('fin.settle.opinion')}
            </label>
            <textarea
              id={`${fid}-opinion`}
              rows={2}
              required
              value={opinion}
              aria-invalid={fieldError(problem, 'opinion') ? 'true' : undefined}
              onInput={(e) => setOpinion((e.target as HTMLTextAreaElement).value)}
            />
            {fieldError(problem, 'opinion') ? (
              <small class="error" role="alert">
                {fieldError(problem, 'opinion')}
              </small>
            ) : null}
          </div>
          <button type="submit" disabled={busy || !decision} class={decision === 'reject' ? 'danger' : ''}>
            {t('fin.settle.submit')}
          </button>
        </form>
      ) : null}
    </li>
  );
}

function Ledger(props: { programmeId: string; host: (platformId: string) => string; version: string }) {
  const pager = useCursor();
  const list = useLoad(
    () =>
      get<SharedPage<LedgerEntry>>(
        `/v1/voucher-programmes/${enc(props.programmeId)}/ledger?limit=25${pager.cursor ? `&cursor=${enc(pager.cursor)}` : ''}`,
      ),
    [props.programmeId, pager.cursor, props.version],
  );
  const withheld = withheldNames(list.data, props.host);
  return (
    <Section title={t('fin.ledger')}>
      <p>{t('fin.ledger.explain')}</p>
      {withheld ? (
        <p class="share-note" id="ledger-withheld">
          {t('fin.share.ledger', withheld)}
        </p>
      ) : null}
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        <DataTable<LedgerEntry>
          label={t('fin.ledger')}
          rows={list.data?.items ?? []}
          rowKey={(e) => e.id}
          columns={[
            { header: t('fin.ledger.at'), cell: (e) => formatInstant(e.at) },
            { header: t('fin.ledger.kind'), cell: (e) => t(`fin.kind.${e.kind}`) },
            { header: t('fin.report.amount'), cell: (e) => yuan(e.amountCny) },
            {
              header: t('fin.ledger.move'),
              cell: (e) =>
                `${e.from === 'none' ? '—' : t(`fin.bucket.${e.from}`)} → ${t(`fin.bucket.${e.to}`)}`,
            },
            {
              header: t('fin.report.platform'),
              cell: (e) => (e.platformId ? props.host(e.platformId) : '—'),
            },
            { header: t('fin.ledger.voucher'), cell: (e) => (e.code ? <code>{e.code}</code> : '—') },
            { header: t('fin.ledger.actor'), cell: (e) => e.actor },
          ]}
        />
        <Pager class="fin-pager" label={t('fin.ledger')} pager={pager} nextCursor={list.data?.nextCursor} />
      </Loading>
    </Section>
  );
}
