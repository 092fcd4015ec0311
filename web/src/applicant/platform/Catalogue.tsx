import { type ComponentChildren, Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, get, put } from '../../api.ts';
import { addMessages, formatCny, t } from '../../i18n.ts';
import {
  type Column,
  DataTable,
  Field,
  fieldError,
  ProblemBox,
  Section,
  SelectField,
  useLoad,
  useRun,
} from '../../ui.tsx';
import '../messages.ts';
import { EvidenceAttach } from '../PlatformEvidence.tsx';

/**
 * The platform's catalogue (Art. 6(1), (2)): compute, model, data and software services with a price
 * range, and application cases with their media (verified platform evidence). Each item shows whether
 * the public showcase lists it, or that staff hid it and why. `PUT …/services/{id}` creates or replaces
 * (with the version read: 409 STALE_VERSION if someone changed it meanwhile); `DELETE` removes.
 */
addMessages(
  {
    'applicant.cat.services': '服务目录（第六条第一项）',
    'applicant.cat.cases': '应用案例（第六条第二项）',
    'applicant.cat.serviceId': '服务编号',
    'applicant.cat.serviceIdHint': '小写字母、数字和连字符；算力券核销时引用此编号。',
    'applicant.cat.category': '类别',
    'applicant.cat.category.compute': '算力',
    'applicant.cat.category.model': '模型',
    'applicant.cat.category.data': '数据',
    'applicant.cat.category.industrial_software': '工业软件',
    'applicant.cat.category.other': '其他',
    'applicant.cat.name': '服务名称',
    'applicant.cat.provider': '提供方',
    'applicant.cat.providerUscc': '提供方统一社会信用代码',
    'applicant.cat.providerUsccHint': '算力券只能用于目录中列明提供方代码的算力服务。',
    'applicant.cat.unit': '计价单位',
    'applicant.cat.priceMin': '最低价格（元）',
    'applicant.cat.priceMax': '最高价格（元）',
    'applicant.cat.price': '价格区间',
    'applicant.cat.available': '可提供',
    'applicant.cat.availableYes': '可提供',
    'applicant.cat.availableNo': '暂停提供',
    'applicant.cat.visibility': '展示状态',
    'applicant.cat.public': '公开展示',
    'applicant.cat.hidden': '已被管理部门隐藏：{reason}',
    'applicant.cat.publish': '发布服务',
    'applicant.cat.saveService': '保存修改',
    'applicant.cat.edit': '修改',
    'applicant.cat.delete': '删除',
    'applicant.cat.confirmDelete': '确认删除“{name}”？删除后不再在展示门户显示（审计记录保留）。',
    'applicant.cat.confirm': '确认删除',
    'applicant.cat.newService': '发布新服务',
    'applicant.cat.editing': '正在修改：{name}',
    'applicant.cat.cancelEdit': '取消修改',
    'applicant.cat.saved': '已保存“{name}”。',
    'applicant.cat.deleted': '已删除“{name}”。',
    'applicant.cat.caseTitle': '案例名称',
    'applicant.cat.sector': '行业',
    'applicant.cat.customerType': '服务对象类型',
    'applicant.cat.customer.enterprise': '企业',
    'applicant.cat.customer.government': '政府部门',
    'applicant.cat.customer.research': '科研机构',
    'applicant.cat.customer.individual': '个人',
    'applicant.cat.customer.other': '其他',
    'applicant.cat.outcome': '应用成效',
    'applicant.cat.media': '案例材料',
    'applicant.cat.mediaKept': '已有材料：{names}',
    'applicant.cat.publishCase': '发布案例',
    'applicant.cat.newCase': '发布新案例',
  },
  {
    'applicant.cat.services': 'Service catalogue (Art. 6(1))',
    'applicant.cat.cases': 'Application cases (Art. 6(2))',
    'applicant.cat.serviceId': 'Service id',
    'applicant.cat.serviceIdHint': 'Lower-case letters, digits and hyphens; voucher redemptions name it.',
    'applicant.cat.category': 'Category',
    'applicant.cat.category.compute': 'Compute',
    'applicant.cat.category.model': 'Model',
    'applicant.cat.category.data': 'Data',
    'applicant.cat.category.industrial_software': 'Industrial software',
    'applicant.cat.category.other': 'Other',
    'applicant.cat.name': 'Service name',
    'applicant.cat.provider': 'Provider',
    'applicant.cat.providerUscc': 'Provider’s unified social credit code',
    'applicant.cat.providerUsccHint': 'Vouchers pay only for compute services whose provider code is listed.',
    'applicant.cat.unit': 'Unit',
    'applicant.cat.priceMin': 'Lowest price (CNY)',
    'applicant.cat.priceMax': 'Highest price (CNY)',
    'applicant.cat.price': 'Price range',
    'applicant.cat.available': 'Available',
    'applicant.cat.availableYes': 'Available',
    'applicant.cat.availableNo': 'Paused',
    'applicant.cat.visibility': 'Showcase',
    'applicant.cat.public': 'Shown publicly',
    'applicant.cat.hidden': 'Hidden by the office: {reason}',
    'applicant.cat.publish': 'Publish the service',
    'applicant.cat.saveService': 'Save changes',
    'applicant.cat.edit': 'Edit',
    'applicant.cat.delete': 'Delete',
    'applicant.cat.confirmDelete': 'Delete “{name}”? It leaves the public showcase (the audit record stays).',
    'applicant.cat.confirm': 'Yes, delete',
    'applicant.cat.newService': 'Publish a new service',
    'applicant.cat.editing': 'Editing: {name}',
    'applicant.cat.cancelEdit': 'Stop editing',
    'applicant.cat.saved': '“{name}” is saved.',
    'applicant.cat.deleted': '“{name}” is deleted.',
    'applicant.cat.caseTitle': 'Case title',
    'applicant.cat.sector': 'Sector',
    'applicant.cat.customerType': 'Customer type',
    'applicant.cat.customer.enterprise': 'Enterprise',
    'applicant.cat.customer.government': 'Government',
    'applicant.cat.customer.research': 'Research institution',
    'applicant.cat.customer.individual': 'Individual',
    'applicant.cat.customer.other': 'Other',
    'applicant.cat.outcome': 'Outcome',
    'applicant.cat.media': 'case media',
    'applicant.cat.mediaKept': 'Media already attached: {names}',
    'applicant.cat.publishCase': 'Publish the case',
    'applicant.cat.newCase': 'Publish a new case',
  },
);

const CATEGORIES = ['compute', 'model', 'data', 'industrial_software', 'other'] as const;
const CUSTOMER_TYPES = ['enterprise', 'government', 'research', 'individual', 'other'] as const;

export interface Service {
  serviceId: string;
  category: string;
  name: string;
  provider: string;
  providerUscc?: string;
  unit: string;
  priceRangeCny: { min: number; max: number };
  available: boolean;
  hidden?: { reason: string };
  version: number;
}

interface Case {
  caseId: string;
  title: string;
  sector: string;
  customerType: string;
  outcome: string;
  media: { evidenceId: string; fileName: string }[];
  hidden?: { reason: string };
  version: number;
}

const newId = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
const toInt = (s: string) => Math.trunc(Number(s.replace(/[,\s]/g, '')));

function Visibility({ hidden }: { hidden?: { reason: string } }) {
  return hidden ? (
    <span class="status status-hidden">{t('applicant.cat.hidden', { reason: hidden.reason })}</span>
  ) : (
    <span class="status status-public">{t('applicant.cat.public')}</span>
  );
}

/** Remove with an inline "are you sure" naming the consequence. */
function DeleteButton(props: { name: string; onConfirm: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" class="link" onClick={() => setAsking(true)}>
        {t('applicant.cat.delete')}
        <span class="visually-hidden"> · {props.name}</span>
      </button>
    );
  return (
    <span class="confirm-inline">
      <span>{t('applicant.cat.confirmDelete', { name: props.name })}</span>{' '}
      <button
        type="button"
        class="danger"
        onClick={() => {
          setAsking(false);
          void props.onConfirm();
        }}
      >
        {t('applicant.cat.confirm')}
      </button>{' '}
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}

/** What the catalogue's two lists share: a list with a public/hidden state, edited and removed in place. */
interface Listed {
  hidden?: { reason: string };
  version: number;
}

/**
 * One list of the catalogue (`GET {path}?limit=100`): its table with the showcase state and edit/delete
 * actions, then the form that publishes a new item or, after "edit", replaces the chosen one.
 */
function CatalogueList<T extends Listed>(props: {
  title: string;
  path: string;
  idOf: (x: T) => string;
  nameOf: (x: T) => string;
  columns: Column<T>[];
  newTitle: string;
  form: (p: {
    item: T | undefined;
    onSaved: (name: string) => void;
    onCancel: () => void;
  }) => ComponentChildren;
}) {
  const list = useLoad(() => get<{ items: T[] }>(`${props.path}?limit=100`), [props.path]);
  const [editing, setEditing] = useState<T | undefined>();
  const [formKey, setFormKey] = useState(0);
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const edit = (x: T | undefined) => {
    setEditing(x);
    setFormKey((k) => k + 1);
  };
  const remove = async (x: T) => {
    setProblem(undefined);
    try {
      await api('DELETE', `${props.path}/${props.idOf(x)}`, { ifMatch: x.version });
      setMessage(t('applicant.cat.deleted', { name: props.nameOf(x) }));
      list.reload();
    } catch (e) {
      setProblem(e);
    }
  };
  return (
    <Section title={props.title}>
      <ProblemBox problem={list.problem ?? problem} />
      <p role="status">{message}</p>
      {list.data?.items.length ? (
        <DataTable
          label={props.title}
          rows={list.data.items}
          rowKey={props.idOf}
          columns={[
            ...props.columns,
            { header: t('applicant.cat.visibility'), cell: (x) => <Visibility hidden={x.hidden} /> },
            {
              header: t('common.actions'),
              cell: (x) => (
                <>
                  <button type="button" class="link" onClick={() => edit(x)}>
                    {t('applicant.cat.edit')}
                    <span class="visually-hidden"> · {props.nameOf(x)}</span>
                  </button>{' '}
                  <DeleteButton name={props.nameOf(x)} onConfirm={() => remove(x)} />
                </>
              ),
            },
          ]}
        />
      ) : (
        <p>{t('common.none')}</p>
      )}
      <h3>{editing ? t('applicant.cat.editing', { name: props.nameOf(editing) }) : props.newTitle}</h3>
      <Fragment key={formKey}>
        {props.form({
          item: editing,
          onSaved: (name) => {
            setMessage(t('applicant.cat.saved', { name }));
            edit(undefined);
            list.reload();
          },
          onCancel: () => edit(undefined),
        })}
      </Fragment>
    </Section>
  );
}

/** A catalogue form's end: the server's problem, then publish (or save, when editing) and stop editing. */
function FormEnd(props: {
  problem: unknown;
  busy: boolean;
  editing: boolean;
  publish: string;
  onCancel: () => void;
}) {
  return (
    <>
      <ProblemBox problem={props.problem} />
      <div class="actions">
        <button type="submit" disabled={props.busy}>
          {props.editing ? t('applicant.cat.saveService') : props.publish}
        </button>
        {props.editing ? (
          <button type="button" class="secondary" onClick={props.onCancel}>
            {t('applicant.cat.cancelEdit')}
          </button>
        ) : null}
      </div>
    </>
  );
}

export function ServiceCatalogue({ platformId }: { platformId: string }) {
  return (
    <CatalogueList<Service>
      title={t('applicant.cat.services')}
      path={`/v1/platforms/${platformId}/services`}
      idOf={(s) => s.serviceId}
      nameOf={(s) => s.name}
      newTitle={t('applicant.cat.newService')}
      columns={[
        {
          header: t('applicant.cat.name'),
          cell: (s) => (
            <>
              {s.name}
              <br />
              <code>{s.serviceId}</code>
            </>
          ),
        },
        { header: t('applicant.cat.category'), cell: (s) => t(`applicant.cat.category.${s.category}`) },
        {
          header: t('applicant.cat.provider'),
          cell: (s) => (
            <>
              {s.provider}
              {s.providerUscc ? (
                <>
                  <br />
                  <code>{s.providerUscc}</code>
                </>
              ) : null}
            </>
          ),
        },
        {
          header: t('applicant.cat.price'),
          cell: (s) => `${formatCny(s.priceRangeCny.min)}–${formatCny(s.priceRangeCny.max)} / ${s.unit}`,
        },
        {
          header: t('applicant.cat.available'),
          cell: (s) => (s.available ? t('applicant.cat.availableYes') : t('applicant.cat.availableNo')),
        },
      ]}
      form={(p) => (
        <ServiceForm platformId={platformId} service={p.item} onSaved={p.onSaved} onCancel={p.onCancel} />
      )}
    />
  );
}

function ServiceForm(props: {
  platformId: string;
  service: Service | undefined;
  onSaved: (name: string) => void;
  onCancel: () => void;
}) {
  const s = props.service;
  const [f, setF] = useState({
    serviceId: s?.serviceId ?? newId('svc'),
    category: s?.category ?? 'compute',
    name: s?.name ?? '',
    provider: s?.provider ?? '',
    providerUscc: s?.providerUscc ?? '',
    unit: s?.unit ?? '',
    min: s ? String(s.priceRangeCny.min) : '',
    max: s ? String(s.priceRangeCny.max) : '',
    available: s?.available ?? true,
  });
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const { problem, busy, submit } = useRun();
  const save = submit(async () => {
    await put(
      `/v1/platforms/${props.platformId}/services/${encodeURIComponent(f.serviceId.trim())}`,
      {
        category: f.category,
        name: f.name,
        provider: f.provider,
        ...(f.providerUscc.trim() ? { providerUscc: f.providerUscc.trim().toUpperCase() } : {}),
        unit: f.unit,
        priceRangeCny: { min: toInt(f.min), max: toInt(f.max) },
        available: f.available,
      },
      s ? { ifMatch: s.version } : {},
    );
    props.onSaved(f.name);
  });
  const text = (id: string, k: keyof typeof f, label: string, path: string = k) => (
    <Field
      id={id}
      label={t(label)}
      value={String(f[k])}
      onInput={set(k)}
      required
      error={fieldError(problem, path)}
    />
  );
  return (
    <form onSubmit={save} noValidate class="catalogue-form">
      {s ? null : (
        <Field
          id="svc-id"
          label={t('applicant.cat.serviceId')}
          value={f.serviceId}
          onInput={set('serviceId')}
          hint={t('applicant.cat.serviceIdHint')}
          error={fieldError(problem, 'serviceId')}
          required
        />
      )}
      <SelectField
        id="svc-category"
        label={t('applicant.cat.category')}
        value={f.category}
        onChange={set('category')}
        options={CATEGORIES}
        optionLabel={(c) => t(`applicant.cat.category.${c}`)}
      />
      {text('svc-name', 'name', 'applicant.cat.name')}
      {text('svc-provider', 'provider', 'applicant.cat.provider')}
      <Field
        id="svc-provider-uscc"
        label={t('applicant.cat.providerUscc')}
        value={f.providerUscc}
        onInput={set('providerUscc')}
        hint={t('applicant.cat.providerUsccHint')}
        error={fieldError(problem, 'providerUscc')}
      />
      {text('svc-unit', 'unit', 'applicant.cat.unit')}
      <Field
        id="svc-min"
        label={t('applicant.cat.priceMin')}
        type="number"
        value={f.min}
        onInput={set('min')}
        required
        error={fieldError(problem, 'priceRangeCny.min')}
      />
      <Field
        id="svc-max"
        label={t('applicant.cat.priceMax')}
        type="number"
        value={f.max}
        onInput={set('max')}
        required
        error={fieldError(problem, 'priceRangeCny.max')}
      />
      <label class="choice">
        <input
          type="checkbox"
          checked={f.available}
          onChange={(e) => setF((x) => ({ ...x, available: (e.target as HTMLInputElement).checked }))}
        />{' '}
        {t('applicant.cat.available')}
      </label>
      <FormEnd
        problem={problem}
        busy={busy}
        editing={Boolean(s)}
        publish={t('applicant.cat.publish')}
        onCancel={props.onCancel}
      />
    </form>
  );
}

export function CaseLibrary({ platformId }: { platformId: string }) {
  return (
    <CatalogueList<Case>
      title={t('applicant.cat.cases')}
      path={`/v1/platforms/${platformId}/cases`}
      idOf={(c) => c.caseId}
      nameOf={(c) => c.title}
      newTitle={t('applicant.cat.newCase')}
      columns={[
        { header: t('applicant.cat.caseTitle'), cell: (c) => c.title },
        { header: t('applicant.cat.sector'), cell: (c) => c.sector },
        {
          header: t('applicant.cat.customerType'),
          cell: (c) => t(`applicant.cat.customer.${c.customerType}`),
        },
        { header: t('applicant.cat.outcome'), cell: (c) => c.outcome },
        {
          header: t('applicant.cat.media'),
          cell: (c) => c.media.map((m) => m.fileName).join('、') || '—',
        },
      ]}
      form={(p) => (
        <CaseForm platformId={platformId} item={p.item} onSaved={p.onSaved} onCancel={p.onCancel} />
      )}
    />
  );
}

function CaseForm(props: {
  platformId: string;
  item: Case | undefined;
  onSaved: (name: string) => void;
  onCancel: () => void;
}) {
  const c = props.item;
  const [f, setF] = useState({
    title: c?.title ?? '',
    sector: c?.sector ?? '',
    customerType: c?.customerType ?? 'enterprise',
    outcome: c?.outcome ?? '',
  });
  const [ids, setIds] = useState<string[]>([]);
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const { problem, busy, submit } = useRun();
  const save = submit(async () => {
    const evidenceIds = [...new Set([...(c?.media.map((m) => m.evidenceId) ?? []), ...ids])];
    await put(
      `/v1/platforms/${props.platformId}/cases/${c?.caseId ?? newId('case')}`,
      { ...f, ...(evidenceIds.length ? { evidenceIds } : {}) },
      c ? { ifMatch: c.version } : {},
    );
    props.onSaved(f.title);
  });
  return (
    <form onSubmit={save} noValidate class="catalogue-form">
      <Field
        id="case-title"
        label={t('applicant.cat.caseTitle')}
        value={f.title}
        onInput={set('title')}
        required
        error={fieldError(problem, 'title')}
      />
      <Field
        id="case-sector"
        label={t('applicant.cat.sector')}
        value={f.sector}
        onInput={set('sector')}
        required
        error={fieldError(problem, 'sector')}
      />
      <SelectField
        id="case-customer"
        label={t('applicant.cat.customerType')}
        value={f.customerType}
        onChange={set('customerType')}
        options={CUSTOMER_TYPES}
        optionLabel={(x) => t(`applicant.cat.customer.${x}`)}
      />
      <div class="field">
        <label for="case-outcome">{t('applicant.cat.outcome')}</label>
        <textarea
          id="case-outcome"
          rows={3}
          value={f.outcome}
          aria-invalid={fieldError(problem, 'outcome') ? 'true' : undefined}
          onInput={(e) => set('outcome')((e.target as HTMLTextAreaElement).value)}
        />
      </div>
      {c?.media.length ? (
        <p>{t('applicant.cat.mediaKept', { names: c.media.map((m) => m.fileName).join('、') })}</p>
      ) : null}
      <EvidenceAttach
        id="case-media"
        label={t('applicant.cat.media')}
        kind="case_media"
        createPath={`/v1/platforms/${props.platformId}/evidence`}
        confirmPath={(id) => `/v1/platforms/${props.platformId}/evidence/${id}/confirm`}
        onIds={setIds}
      />
      <FormEnd
        problem={problem}
        busy={busy}
        editing={Boolean(c)}
        publish={t('applicant.cat.publishCase')}
        onCancel={props.onCancel}
      />
    </form>
  );
}
