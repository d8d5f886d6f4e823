//! PanelAlpha's plans (`/api/admin/plans`).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaPlansQuery;
    mutation_root: PanelalphaPlansMutation;
    queries {
        /// List plans
        panelalpha_plans = Get "/api/admin/plans" () -> Vec<PanelalphaPlan> => parse;
        /// Show plan details
        panelalpha_plan = Get "/api/admin/plans/{id}" (id: i32) -> PanelalphaPlan => parse;
    }
    mutations {
        /// Create plan
        panelalpha_create_plan = Post "/api/admin/plans" (; input: PanelalphaPlanInput) -> PanelalphaPlan => parse;
        /// Update plan
        panelalpha_update_plan = Put "/api/admin/plans/{id}" (id: i32; input: PanelalphaPlanInput) -> PanelalphaPlan => parse;
        /// Delete plan
        panelalpha_delete_plan = Delete "/api/admin/plans/{id}" (id: i32) -> ActionResult => done;
    }
}
