//! What a PanelAlpha user does as themselves (`/api/user`): each call acts as the user `asUser`
//! names (`X-PanelAlpha-User` on REST), or as the user the caller is bound to.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Customer;
    query_root: PanelalphaMeQuery;
    mutation_root: PanelalphaMeMutation;
    queries {
        /// List the acting user's logged-in devices
        panelalpha_my_devices = Get "/api/user/devices" () -> Vec<PanelalphaDevice> => parse;
    }
    mutations {
        /// Update the acting user's personal information
        panelalpha_update_my_information = Put "/api/user/edit" (; input: PanelalphaUpdateMeInput) -> User => user;
        /// Update the acting user's email address
        panelalpha_update_my_email = Put "/api/user/edit/email" (; input: PanelalphaUpdateMyEmailInput) -> User => user;
        /// Forget one of the acting user's devices
        panelalpha_forget_my_device = Post "/api/user/device/forget" (; input: PanelalphaForgetDeviceInput) -> ActionResult => done;
        /// Log the acting user out from a device
        panelalpha_log_out_my_device = Post "/api/user/device/logout" (; input: PanelalphaLogoutDeviceInput) -> ActionResult => done;
    }
}
