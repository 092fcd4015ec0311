import { get, post } from '../../api.ts';
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
  useCursor,
  useLoad,
  useRun,
} from '../../ui.tsx';
import { enc, shanghaiDay, useKeyedForm, yuan } from './common.tsx';
import './messages.ts';

/**
 * Compute voucher programmes (算力券, Art. 6(3)): the list, and the officer's new programme with the
 * budget, the validity window and the rules — each rule field starts at the default the server applies
 * (`functions/core/voucher-rules.ts`), so what is shown is what a programme gets unless changed.
 */
export interface Programme {
  id: string;
  name: string;
  budgetCny: number;
  validFrom: string;
  validUntil: string;
  maxSubsidyRatio: number;
  perEnterpriseAnnualCapCny: number;
  faceValue: { minCny: number; maxCny: number };
  voucherValidityDays: number;
  unallocatedCny: number;
  createdBy: string;
  createdAt: string;
  version: number;
}

export function Vouchers() {
  useLang();
  const s = useSession();
  const pager = useCursor();
  const list = useLoad(
    () =>
      get<{ items: Programme[]; nextCursor?: string }>(
        `/v1/voucher-programmes?limit=25${pager.cursor ? `&cursor=${enc(pager.cursor)}` : ''}`,
      ),
    [pager.cursor],
  );
  return (
    <main id="main">
      <h1>{t('fin.vouchers')}</h1>
      <p class="fin-lead">{t('fin.vouchers.lead')}</p>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        {list.data?.items.length ? (
          <DataTable<Programme>
            label={t('fin.vouchers.list')}
            rows={list.data.items}
            rowKey={(p) => p.id}
            columns={[
              {
                header: t('fin.vouchers.name'),
                cell: (p) => <a href={`#/staff/vouchers/${enc(p.id)}`}>{p.name}</a>,
              },
              { header: t('fin.vouchers.budget'), cell: (p) => yuan(p.budgetCny) },
              { header: t('fin.vouchers.unallocated'), cell: (p) => yuan(p.unallocatedCny) },
              {
                header: t('fin.vouchers.window'),
                cell: (p) => `${formatInstant(p.validFrom)} – ${formatInstant(p.validUntil)}`,
              },
              { header: t('fin.vouchers.createdAt'), cell: (p) => formatInstant(p.createdAt) },
            ]}
          />
        ) : (
          <p>{t('fin.vouchers.none')}</p>
        )}
        <Pager
          class="fin-pager"
          label={t('fin.vouchers.list')}
          pager={pager}
          nextCursor={list.data?.nextCursor}
        />
      </Loading>
      {hasRole(s, 'officer') ? <CreateProgramme /> : null}
    </main>
  );
}

/**
 * The defaults come from the server's own rules module, loaded only when this form is shown (it brings
 * the working-day calendar data with it, which the rest of the console does not need).
 */
type Defaults = typeof import('../../../../functions/core/voucher-rules.ts')['VOUCHER_DEFAULTS'];

function CreateProgramme() {
  const defaults = useLoad(
    () => import('../../../../functions/core/voucher-rules.ts').then((m) => m.VOUCHER_DEFAULTS),
    [],
  );
  return (
    <Section title={t('fin.vouchers.create')}>
      <ProblemBox problem={defaults.problem} />
      <Loading when={defaults.loading && !defaults.data}>
        {defaults.data ? <ProgrammeForm d={defaults.data} /> : null}
      </Loading>
    </Section>
  );
}

function ProgrammeForm({ d }: { d: Defaults }) {
  const today = shanghaiDay(Date.now());
  const { form, set, key } = useKeyedForm({
    name: '',
    budgetCny: '',
    validFrom: today,
    validUntil: shanghaiDay(Date.now() + 365 * 86_400_000),
    maxSubsidyRatio: String(d.maxSubsidyRatio),
    perEnterpriseAnnualCapCny: String(d.perEnterpriseAnnualCapCny),
    faceMin: String(d.faceValue.minCny),
    faceMax: String(d.faceValue.maxCny),
    voucherValidityDays: String(d.voucherValidityDays),
  });
  const { problem, busy, submit } = useRun();
  const save = submit(async () => {
    const created = await post<Programme>(
      '/v1/voucher-programmes',
      {
        name: form.name,
        budgetCny: Number(form.budgetCny),
        // A window of whole days in Beijing time: from 00:00 of the first to 23:59:59.999 of the last.
        validFrom: `${form.validFrom}T00:00:00+08:00`,
        validUntil: `${form.validUntil}T23:59:59.999+08:00`,
        maxSubsidyRatio: Number(form.maxSubsidyRatio),
        perEnterpriseAnnualCapCny: Number(form.perEnterpriseAnnualCapCny),
        faceValue: { minCny: Number(form.faceMin), maxCny: Number(form.faceMax) },
        voucherValidityDays: Number(form.voucherValidityDays),
      },
      { idempotencyKey: key },
    );
    location.hash = `/staff/vouchers/${enc(created.id)}`;
  });
  return (
    <form onSubmit={save}>
      <Field
        id="prog-name"
        label={t('fin.vouchers.name')}
        value={form.name}
        onInput={set('name')}
        error={fieldError(problem, 'name')}
        required
      />
      <Field
        id="prog-budget"
        label={t('fin.vouchers.budgetInput')}
        type="number"
        value={form.budgetCny}
        onInput={set('budgetCny')}
        error={fieldError(problem, 'budgetCny')}
        required
      />
      <div class="fin-inline">
        <Field
          id="prog-from"
          label={t('fin.vouchers.validFrom')}
          type="date"
          value={form.validFrom}
          onInput={set('validFrom')}
          error={fieldError(problem, 'validFrom')}
          required
        />
        <Field
          id="prog-until"
          label={t('fin.vouchers.validUntil')}
          type="date"
          value={form.validUntil}
          onInput={set('validUntil')}
          error={fieldError(problem, 'validUntil')}
          required
        />
      </div>
      <fieldset class="fin-rules">
        <legend>{t('fin.vouchers.rules')}</legend>
        <div class="field">
          <label for="prog-ratio">{t('fin.vouchers.ratio')}</label>
          <input
            id="prog-ratio"
            type="number"
            min={0}
            max={1}
            step="any"
            value={form.maxSubsidyRatio}
            aria-describedby={`prog-ratio-hint${fieldError(problem, 'maxSubsidyRatio') ? ' prog-ratio-error' : ''}`}
            aria-invalid={fieldError(problem, 'maxSubsidyRatio') ? 'true' : undefined}
            onInput={(e) => set('maxSubsidyRatio')((e.target as HTMLInputElement).value)}
          />
          <small id="prog-ratio-hint">{t('fin.vouchers.default', { v: d.maxSubsidyRatio })}</small>
          {fieldError(problem, 'maxSubsidyRatio') ? (
            <small id="prog-ratio-error" class="error" role="alert">
              {fieldError(problem, 'maxSubsidyRatio')}
            </small>
          ) : null}
        </div>
        <Field
          id="prog-cap"
          label={t('fin.vouchers.cap')}
          type="number"
          value={form.perEnterpriseAnnualCapCny}
          onInput={set('perEnterpriseAnnualCapCny')}
          hint={t('fin.vouchers.default', { v: yuan(d.perEnterpriseAnnualCapCny) })}
          error={fieldError(problem, 'perEnterpriseAnnualCapCny')}
        />
        <div class="fin-inline">
          <Field
            id="prog-face-min"
            label={t('fin.vouchers.faceMin')}
            type="number"
            value={form.faceMin}
            onInput={set('faceMin')}
            hint={t('fin.vouchers.default', { v: yuan(d.faceValue.minCny) })}
            error={fieldError(problem, 'faceValue.minCny') ?? fieldError(problem, 'faceValue')}
          />
          <Field
            id="prog-face-max"
            label={t('fin.vouchers.faceMax')}
            type="number"
            value={form.faceMax}
            onInput={set('faceMax')}
            hint={t('fin.vouchers.default', { v: yuan(d.faceValue.maxCny) })}
            error={fieldError(problem, 'faceValue.maxCny')}
          />
        </div>
        <Field
          id="prog-days"
          label={t('fin.vouchers.validityDays')}
          type="number"
          value={form.voucherValidityDays}
          onInput={set('voucherValidityDays')}
          hint={t('fin.vouchers.default', { v: d.voucherValidityDays })}
          error={fieldError(problem, 'voucherValidityDays')}
        />
      </fieldset>
      <ProblemBox problem={problem} />
      <button type="submit" disabled={busy}>
        {t('fin.vouchers.createSubmit')}
      </button>
    </form>
  );
}
