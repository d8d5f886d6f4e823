//! PanelAlpha's own task queue (`/api/admin/tasks`), as its lists answer; the gateway's Tasks follow
//! its entries through `panelalpha_task_status`.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaTasksQuery;
    mutation_root: PanelalphaTasksMutation;
    queries {
        /// List tasks
        panelalpha_tasks = Get "/api/admin/tasks" (; input: Option<PanelalphaTaskFilter>) -> Vec<PanelalphaTask> => parse;
        /// List running tasks
        panelalpha_running_tasks = Get "/api/admin/tasks/running" () -> Vec<PanelalphaTask> => parse;
        /// Check worker status
        panelalpha_worker_status = Get "/api/admin/tasks/worker-status" () -> RawAnswer => raw;
        /// Check task status
        panelalpha_task_status = Get "/api/admin/tasks/{id}/status" (id: i32) -> PanelalphaTask => parse;
    }
    mutations {
        /// Cancel task
        panelalpha_cancel_task = Delete "/api/admin/tasks/{id}/cancel" (id: i32) -> ActionResult => done;
        /// Retry task (a GET that acts)
        panelalpha_retry_task = Get "/api/admin/tasks/{id}/retry" (id: i32) -> PanelalphaTask => parse;
    }
}
