//! The DNS of a PanelAlpha user's own hosting account (`/api/server-accounts/{id}/dns-zones`),
//! acting as that user: its zones, the record types the server takes, and each zone's records,
//! with Cloudflare's proxy switched per record.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Customer;
    query_root: PanelalphaMyDnsQuery;
    mutation_root: PanelalphaMyDnsMutation;
    queries {
        /// List DNS zones
        panelalpha_my_dns_zones = Get "/api/server-accounts/{id}/dns-zones" (id: i32) -> RawAnswer => raw;
        /// List DNS record types
        panelalpha_my_dns_record_types = Get "/api/server-accounts/{id}/dns-zones/record-types" (id: i32) -> RawAnswer => raw;
        /// List DNS zone records
        panelalpha_my_dns_records = Get "/api/server-accounts/{id}/dns-zones/{name}/records" (id: i32, name: String) -> Vec<PanelalphaDnsRecord> => parse;
    }
    mutations {
        /// Create DNS zone record
        panelalpha_create_my_dns_record = Post "/api/server-accounts/{id}/dns-zones/{name}/records" (id: i32, name: String; input: PanelalphaDnsRecordInput) -> PanelalphaDnsRecord => parse;
        /// Update DNS zone record
        panelalpha_update_my_dns_record = Put "/api/server-accounts/{id}/dns-zones/{name}/records/{line}" (id: i32, name: String, line: String; input: PanelalphaDnsRecordInput) -> PanelalphaDnsRecord => parse;
        /// Delete DNS zone record
        panelalpha_delete_my_dns_record = Delete "/api/server-accounts/{id}/dns-zones/{name}/records/{line}" (id: i32, name: String, line: String) -> ActionResult => done;
        /// Toggle Cloudflare proxy
        panelalpha_toggle_my_dns_proxy = Patch "/api/server-accounts/{id}/dns-zones/{name}/records/{line}/toggle-proxy" (id: i32, name: String, line: String) -> PanelalphaDnsRecord => parse;
    }
}
