//! The REST routes: which declared endpoint serves a method and an original path. A lookup in one
//! router per provider and method (the matcher axum uses), so a request costs the same however many
//! endpoints a provider declares, and a literal segment wins over a parameter as upstream routers
//! decide (`GET /api/admin/users/email` before `GET /api/admin/users/{id}`), while another method's
//! template still serves its own (`PUT /api/admin/users/email` is the update of user `email`).

use crate::endpoint::Endpoint;
use hostplane_adapters::{Method, Provider};
use std::{
    collections::{BTreeMap, HashMap},
    sync::OnceLock,
};

const METHODS: [Method; 5] = [
    Method::Get,
    Method::Post,
    Method::Put,
    Method::Patch,
    Method::Delete,
];

type Routers = HashMap<(Provider, Method), matchit::Router<&'static Endpoint>>;

/// The path template with its parameters renamed by position (`{p0}`, `{p1}`): templates of one
/// router may name the same segment differently (`{id}`, `{userId}`).
fn positional(template: &str) -> String {
    let mut n = 0;
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                n += 1;
                format!("{{p{}}}", n - 1)
            } else {
                segment.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn routers() -> &'static Routers {
    static ROUTERS: OnceLock<Routers> = OnceLock::new();
    ROUTERS.get_or_init(|| {
        let mut routers = Routers::new();
        for e in crate::endpoints() {
            let router = routers.entry((e.provider, e.method)).or_default();
            router.insert(positional(e.path), e).unwrap_or_else(|err| {
                panic!("{} {} cannot be routed: {err}", e.method.as_str(), e.path)
            });
            // A path may end before its optional trailing segments, as the upstream routes it;
            // where another endpoint's template is that shorter path, it keeps it.
            let mut path = e.path;
            while let Some((shorter, last)) = path.rsplit_once('/') {
                let param = last.strip_prefix('{').and_then(|l| l.strip_suffix('}'));
                if !param.is_some_and(|p| e.optional.contains(&p)) {
                    break;
                }
                let _ = router.insert(positional(shorter), e);
                path = shorter;
            }
        }
        routers
    })
}

/// The endpoint of a method and path (without query string), with its path parameters by name. A
/// path served under other methods only is answered with those methods, so the caller gets 405.
pub fn route(
    provider: Provider,
    method: Option<Method>,
    path: &str,
) -> Result<(&'static Endpoint, BTreeMap<String, String>), Vec<Method>> {
    // An empty segment names no resource: `/plans/` is not taken for `/plans`, nor
    // `/sites/{id}` with an empty ID for the site list, so nothing reaches an upstream for it.
    if path != "/" && (path.ends_with('/') || path.contains("//")) {
        return Err(Vec::new());
    }
    let find = |m: Method| routers().get(&(provider, m))?.at(path).ok();
    if let Some(found) = method.and_then(find) {
        let endpoint = *found.value;
        let params = endpoint
            .path_params()
            .zip(found.params.iter())
            .map(|(name, (_, value))| (name.to_string(), value.to_string()))
            .collect();
        return Ok((endpoint, params));
    }
    Err(METHODS.into_iter().filter(|m| find(*m).is_some()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every declared endpoint is found at its own template, with its parameters named.
    #[test]
    fn every_endpoint_is_found() {
        for e in crate::endpoints() {
            let path = e.path.replace('{', "x").replace('}', "");
            let (found, params) = route(e.provider, Some(e.method), &path)
                .unwrap_or_else(|_| panic!("{} {} not routed", e.method.as_str(), e.path));
            assert!(
                found.is(e),
                "{} {} routed to {}",
                e.method.as_str(),
                e.path,
                found.path
            );
            let names: Vec<&str> = e.path_params().collect();
            assert_eq!(params.keys().count(), names.len(), "{}", e.path);
        }
    }

    /// A literal segment wins over a parameter; an empty segment (a trailing slash, `//`) names
    /// nothing; another method's path is a 405 naming the methods it serves; an unknown path
    /// names none.
    #[test]
    fn lookups() {
        let force = "/api/v1/datacenter/server/4001/reboot/force";
        for empty in [format!("{force}/"), force.replace("/4001/", "//")] {
            let refused = route(Provider::Hosterapi, Some(Method::Put), &empty);
            assert!(matches!(refused, Err(m) if m.is_empty()), "{empty}");
        }
        let (e, params) = route(Provider::Hosterapi, Some(Method::Put), force).expect("routed");
        assert_eq!(e.name, "hosterapi_force_reboot_server");
        assert_eq!(params.get("sid").map(String::as_str), Some("4001"));
        let (e, _) = route(
            Provider::Hosterapi,
            Some(Method::Get),
            "/api/v1/datacenter/dedicated/market",
        )
        .expect("routed");
        assert_eq!(e.name, "hosterapi_dedicated_market");
        assert_eq!(
            route(
                Provider::Hosterapi,
                Some(Method::Delete),
                "/api/v1/datacenter/server"
            )
            .err(),
            Some(vec![Method::Get, Method::Post])
        );
        assert_eq!(
            route(Provider::Hosterapi, Some(Method::Get), "/api/v1/nothing").err(),
            Some(vec![])
        );
        assert_eq!(positional("/a/{id}/b/{userId}"), "/a/{p0}/b/{p1}");
    }
}
