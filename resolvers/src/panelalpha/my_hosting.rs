//! A PanelAlpha user's own hosting accounts (`/api/server-accounts`), acting as that user: the
//! accounts, their usage and PHP versions, their FTP accounts (passwords write-only) and cron jobs.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Customer;
    query_root: PanelalphaMyHostingQuery;
    mutation_root: PanelalphaMyHostingMutation;
    queries {
        /// List hosting accounts
        panelalpha_my_hosting_accounts = Get "/api/server-accounts" () -> Vec<PanelalphaHostingAccount> => parse;
        /// Show hosting account details
        panelalpha_my_hosting_account = Get "/api/server-accounts/{id}" (id: i32) -> PanelalphaHostingAccount => parse;
        /// Get hosting account usage
        panelalpha_my_hosting_account_usage = Get "/api/server-accounts/{id}/usage" (id: i32) -> RawAnswer => raw;
        /// List available PHP versions
        panelalpha_my_hosting_php_versions = Get "/api/server-accounts/{id}/php-versions" (id: i32) -> RawAnswer => raw;
        /// List FTP accounts
        panelalpha_my_ftp_accounts = Get "/api/server-accounts/{id}/ftp-accounts" (id: i32) -> Vec<PanelalphaFtpAccount> => parse;
        /// Show FTP server details
        panelalpha_my_ftp_server = Get "/api/server-accounts/{id}/ftp-accounts/server-info" (id: i32) -> RawAnswer => raw;
        /// List cron jobs
        panelalpha_my_cron_jobs = Get "/api/server-accounts/{id}/cron-jobs" (id: i32) -> Vec<PanelalphaCronJob> => parse;
    }
    mutations {
        /// Create FTP account
        panelalpha_create_my_ftp_account = Post "/api/server-accounts/{id}/ftp-accounts" (id: i32; input: PanelalphaCreateFtpInput) -> PanelalphaFtpAccount => parse;
        /// Update FTP account
        panelalpha_update_my_ftp_account = Put "/api/server-accounts/{id}/ftp-accounts/{user}" (id: i32, user: String; input: Option<PanelalphaUpdateFtpInput>) -> PanelalphaFtpAccount => parse;
        /// Delete FTP account
        panelalpha_delete_my_ftp_account = Delete "/api/server-accounts/{id}/ftp-accounts/{user}" (id: i32, user: String) -> ActionResult => done;
        /// Create cron job
        panelalpha_create_my_cron_job = Post "/api/server-accounts/{id}/cron-jobs" (id: i32; input: PanelalphaCronJobInput) -> PanelalphaCronJob => parse;
        /// Update cron job
        panelalpha_update_my_cron_job = Put "/api/server-accounts/{id}/cron-jobs/{line}" (id: i32, line: String; input: PanelalphaCronJobInput) -> PanelalphaCronJob => parse;
        /// Delete cron job
        panelalpha_delete_my_cron_job = Delete "/api/server-accounts/{id}/cron-jobs/{line}" (id: i32, line: String) -> ActionResult => done;
    }
}
