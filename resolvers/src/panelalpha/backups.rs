//! PanelAlpha's backup storage: remote backup connections (`/api/admin/remote-backups`, server-like
//! records whose credentials only admins read back) and the containers on them that keep sites'
//! backups (`/api/admin/backup-containers`), with the rules of which objects each serves.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaBackupsQuery;
    mutation_root: PanelalphaBackupsMutation;
    queries {
        /// List remote backup types
        panelalpha_remote_backup_types = Get "/api/admin/remote-backups/types" () -> RawAnswer => raw;
        /// List remote backup connections
        panelalpha_remote_backups = Get "/api/admin/remote-backups" () -> Vec<PanelalphaConnection> => parse;
        /// List backup containers
        panelalpha_backup_containers = Get "/api/admin/backup-containers" () -> Vec<PanelalphaBackupContainer> => parse;
    }
    mutations {
        /// Test connection (whether the store answers is data)
        panelalpha_test_remote_backup_connection = Post "/api/admin/remote-backups/test-connection" (; input: PanelalphaConnectionInput) -> RawAnswer => admin_raw;
        /// Add remote backup connection
        panelalpha_create_remote_backup = Post "/api/admin/remote-backups" (; input: PanelalphaConnectionInput) -> PanelalphaConnection => admin_parse;
        /// Update remote backup connection
        panelalpha_update_remote_backup = Put "/api/admin/remote-backups/{id}" (id: i32; input: PanelalphaConnectionInput) -> PanelalphaConnection => admin_parse;
        /// Delete remote backup connection
        panelalpha_delete_remote_backup = Delete "/api/admin/remote-backups/{id}" (id: i32) -> ActionResult => admin_done;
        /// Create backup container
        panelalpha_create_backup_container = Post "/api/admin/backup-containers" (; input: PanelalphaBackupContainerInput) -> PanelalphaBackupContainer => admin_parse;
        /// Update backup container
        panelalpha_update_backup_container = Put "/api/admin/backup-containers/{id}" (id: i32; input: PanelalphaBackupContainerInput) -> PanelalphaBackupContainer => admin_parse;
        /// Delete backup container ID
        panelalpha_delete_backup_container = Delete "/api/admin/backup-containers/{id}" (id: i32) -> ActionResult => admin_done;
        /// Update backup container rules (the body is the list of rules)
        panelalpha_update_backup_container_rules = Put "/api/admin/backup-containers/{id}/rules" (id: i32; input: Vec<PanelalphaBackupRule>) -> PanelalphaBackupContainer => admin_parse;
    }
}
