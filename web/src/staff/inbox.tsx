import { get } from '../api.ts';
import { formatInstant, t, useLang } from '../i18n.ts';
import { hasRole, useSession } from '../session.ts';
import { Loading, ProblemBox, useLoad } from '../ui.tsx';
import './messages.ts';

/** One human step a workflow waits on (GET /v1/tasks): the API already filters by the caller's roles and name. */
export interface Task {
  id: string;
  kind: string;
  entityType: string;
  entityId: string;
  status: string;
  dueAt: string;
  createdAt: string;
}

/** Where a task is done: application steps on the application page, anything else has no page yet. */
export const taskHref = (task: Pick<Task, 'entityType' | 'entityId'>): string | undefined =>
  task.entityType === 'application' ? `#/staff/applications/${encodeURIComponent(task.entityId)}` : undefined;

/**
 * The work inbox: pending steps, oldest due first (the API's order), overdue ones marked in words as
 * well as colour so the highlight does not depend on seeing colour.
 */
export function Inbox() {
  useLang();
  const s = useSession();
  // Observers have no workflow steps (the API refuses them the inbox): they get an empty one.
  const worker = hasRole(s, 'officer', 'approver', 'expert', 'admin');
  const tasks = useLoad(
    () => (worker ? get<{ items: Task[] }>('/v1/tasks?limit=100') : Promise.resolve({ items: [] as Task[] })),
    [worker],
  );
  const now = Date.now();
  return (
    <main id="main">
      <h1>{t('staff.inbox')}</h1>
      <ProblemBox problem={tasks.problem} />
      <Loading when={tasks.loading && !tasks.data}>
        {tasks.data?.items.length ? (
          <div class="table-wrap">
            <table aria-label={t('staff.inbox')}>
              <thead>
                <tr>
                  <th scope="col">{t('staff.inbox.kind')}</th>
                  <th scope="col">{t('staff.inbox.entity')}</th>
                  <th scope="col">{t('staff.inbox.due')}</th>
                </tr>
              </thead>
              <tbody>
                {tasks.data.items.map((task) => {
                  const overdue = new Date(task.dueAt).getTime() < now;
                  const href = taskHref(task);
                  return (
                    <tr key={task.id} class={overdue ? 'overdue' : undefined}>
                      <td>{href ? <a href={href}>{t(`task.${task.kind}`)}</a> : t(`task.${task.kind}`)}</td>
                      <td>
                        <code>{task.entityId}</code>
                      </td>
                      <td>
                        {formatInstant(task.dueAt)}
                        {overdue ? <strong class="error"> {t('staff.inbox.overdue')}</strong> : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : (
          <p>{t('staff.inbox.empty')}</p>
        )}
      </Loading>
    </main>
  );
}
