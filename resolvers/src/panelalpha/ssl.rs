//! PanelAlpha's SSL certificates across the panel (`/api/admin/ssl`, `/api/admin/ssl-orders`): the
//! providers it orders from, and the orders, whose processing is a Task until the certificate is
//! issued.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaSslQuery;
    mutation_root: PanelalphaSslMutation;
    queries {
        /// List SSL providers
        panelalpha_ssl_providers = Get "/api/admin/ssl/providers" () -> RawAnswer => raw;
        /// List SSL orders
        panelalpha_ssl_orders = Get "/api/admin/ssl-orders" () -> Vec<PanelalphaSslOrder> => parse;
        /// List SSL logs
        panelalpha_ssl_logs = Get "/api/admin/ssl-orders/logs" () -> RawAnswer => raw;
    }
    mutations {
        /// Process SSL order: a Task until the certificate is issued
        panelalpha_process_ssl_order = Put "/api/admin/ssl-orders/{id}/process" (id: i32) -> TaskPayload => admin_task;
        /// Abandon SSL Order
        panelalpha_abandon_ssl_order = Put "/api/admin/ssl-orders/{id}/abandon" (id: i32) -> PanelalphaSslOrder => admin_parse;
    }
}
