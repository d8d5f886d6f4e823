//! How WPCS's scheduled writes are followed: the object a write changes, read from its filtered list
//! until its `statusName` is `Done` (or until it is gone, for a removal).

use crate::tasks::watch::Follow;
use futures_util::future::BoxFuture;
use hostplane_adapters::{Method, Upstream, UpstreamError};
use hostplane_schema::{
    GlobalId,
    task::{Progress, TaskStatus},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WpcsWatch {
    /// A WPCS object after a scheduled write, read from a filtered list (`/v1/tenants?tenantId=..`,
    /// built from the list endpoint's handle) until its `statusName` is `Done`, or until it is gone
    /// for a removal. `object` is the object's GraphQL type, `key` the field that names it in the
    /// list.
    WpcsStatus {
        object: String,
        list: String,
        key: String,
        value: String,
        gone: bool,
    },
}

impl Follow for WpcsWatch {
    fn upstream_ref(&self) -> String {
        let WpcsWatch::WpcsStatus { object, value, .. } = self;
        format!("{}:{value}", object.to_lowercase())
    }

    fn poll<'a>(
        &'a self,
        upstream: &'a dyn Upstream,
    ) -> BoxFuture<'a, Result<Progress, UpstreamError>> {
        let WpcsWatch::WpcsStatus {
            list,
            key,
            value,
            gone,
            ..
        } = self;
        Box::pin(async move {
            let listed = upstream.call(Method::Get, list, None).await?;
            Ok(wpcs_progress(&listed, key, value, *gone))
        })
    }

    fn subject(&self, connection: &str, output: Option<&Value>) -> Option<GlobalId> {
        let WpcsWatch::WpcsStatus {
            object, key, value, ..
        } = self;
        let id = match output.and_then(|o| o.get("id")).and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None if key == "id" => value.clone(),
            None => return None,
        };
        Some(GlobalId::new(object, connection, id))
    }
}

/// Reads a WPCS object's scheduled work from a filtered list: `Done` (or no status at all) is
/// success, a failed status is failure, anything else is still running; for a removal, absence is
/// success.
pub fn wpcs_progress(listed: &Value, key: &str, value: &str, gone: bool) -> Progress {
    let items = match listed {
        Value::Array(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    let found = items.iter().find(|item| {
        item.get(key).and_then(Value::as_str) == Some(value)
            || (key == "id" && item.get("tenantId").and_then(Value::as_str) == Some(value))
    });
    let running = |message: String| Progress {
        status: TaskStatus::Running,
        progress: None,
        message: Some(message),
        output: None,
    };
    let done = |output: Option<Value>| Progress {
        status: TaskStatus::Succeeded,
        progress: Some(1.0),
        message: None,
        output,
    };
    match (found, gone) {
        (None, true) => done(None),
        (Some(item), true) => running(format!(
            "removal scheduled ({})",
            item.get("statusName")
                .and_then(Value::as_str)
                .unwrap_or("pending")
        )),
        (None, false) => running("not listed yet".into()),
        (Some(item), false) => match item.get("statusName").and_then(Value::as_str) {
            None | Some("Done") => done(Some(item.clone())),
            Some(name)
                if ["fail", "error"]
                    .iter()
                    .any(|f| name.to_ascii_lowercase().contains(f)) =>
            {
                Progress {
                    status: TaskStatus::Failed,
                    progress: None,
                    message: Some(name.to_string()),
                    output: Some(item.clone()),
                }
            }
            Some(name) => running(name.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A WPCS object is done at `Done`, failed at a failing status, and a removal is done when gone.
    #[test]
    fn wpcs_states() {
        let list = json!([{"id": "t1", "statusName": "InProgress"}, {"id": "t2", "statusName": "Done"},
            {"id": "t3", "statusName": "Failed"}]);
        assert_eq!(
            wpcs_progress(&list, "id", "t1", false).status,
            TaskStatus::Running
        );
        assert_eq!(
            wpcs_progress(&list, "id", "t2", false).status,
            TaskStatus::Succeeded
        );
        assert_eq!(
            wpcs_progress(&list, "id", "t3", false).status,
            TaskStatus::Failed
        );
        assert_eq!(
            wpcs_progress(&list, "id", "t9", true).status,
            TaskStatus::Succeeded
        );
        assert_eq!(
            wpcs_progress(&list, "id", "t2", true).status,
            TaskStatus::Running
        );
    }
}
