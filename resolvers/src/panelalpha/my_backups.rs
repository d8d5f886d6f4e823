//! The backups of a PanelAlpha user's own instance (`/api/instances/{id}/wordpress/backups`),
//! acting as that user: making and restoring one are Tasks, and a download is a signed gateway link
//! that carries the acting user to the panel.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Customer;
    query_root: PanelalphaMyBackupsQuery;
    mutation_root: PanelalphaMyBackupsMutation;
    queries {
        /// List backups
        panelalpha_my_backups = Get "/api/instances/{id}/wordpress/backups" (id: i32) -> Vec<PanelalphaBackup> => parse;
        /// Download Backup: a signed gateway URL valid for five minutes
        panelalpha_download_my_backup = Get "/api/instances/{id}/wordpress/backups/{backupId}/download" (id: i32, backupId: i32) -> DownloadLink => link;
    }
    mutations {
        /// Create backup: a Task until the backup is complete
        panelalpha_create_my_backup = Post "/api/instances/{id}/wordpress/backups" (id: i32; input: Option<PanelalphaCreateBackupInput>) -> TaskPayload => task;
        /// Restore backup: a Task until the instance is restored
        panelalpha_restore_my_backup = Put "/api/instances/{id}/wordpress/backups/{backupId}/restore" (id: i32, backupId: i32; input: Option<PanelalphaRestoreBackupInput>) -> TaskPayload => instance_task;
        /// Delete backup
        panelalpha_delete_my_backup = Delete "/api/instances/{id}/wordpress/backups/{backupId}" (id: i32, backupId: i32) -> ActionResult => done;
    }
}
