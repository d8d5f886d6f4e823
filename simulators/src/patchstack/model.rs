//! The simulated Patchstack account: users and their sites with the software inventories their plugins
//! report, the data they are seeded with, and the views the API answers with.

use super::{
    flows::SsoToken,
    routes::{Fail, not_found},
};
use crate::kit::{
    random::splitmix64,
    time::{days_from_civil, iso_seconds, unix_now},
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The site view reports one attack count per day for this many days, ending today.
const ATTACK_WINDOW_DAYS: i64 = 30;
/// The length of the per-site API secret, as in the docs' example.
pub(super) const SECRET_LEN: usize = 40;
/// The seeded site the docs' site-view example shows, with that example's secret.
pub(super) const DOC_SECRET: &str = "D4ajwfPddOQ6VAhhPYCOR5sggkpe9byNsSCobxxP";

const USER_NOT_FOUND: &str = "User not found.";
const SITE_NOT_FOUND: &str = "Site not found.";

pub(super) struct Store {
    /// When the current request settled the store (Unix seconds): every view reads time at this
    /// instant, so an SSO token never reads as valid after it was dropped.
    pub(super) now: u64,
    pub(super) users: BTreeMap<u64, User>,
    pub(super) sites: BTreeMap<u64, Site>,
    pub(super) next_user_id: u64,
    pub(super) next_site_id: u64,
}

/// A portal user. The password, company, phone and newsletter flag are validated but not kept: no
/// documented response reads them back, so keeping them would only be dead state.
pub(super) struct User {
    pub(super) name: String,
    pub(super) email: String,
    /// Unix seconds.
    pub(super) created_at: u64,
    /// Unix seconds; the end of the current plan period.
    pub(super) expires_at: u64,
    pub(super) class: &'static str,
    pub(super) renew_freq: &'static str,
    /// The one unused, unexpired SSO token the docs allow per user.
    pub(super) sso: Option<SsoToken>,
}

pub(super) struct Site {
    pub(super) user_id: u64,
    /// As the caller gave it; `normalised_url` is what duplicates are compared by.
    pub(super) url: String,
    /// Days since the Unix epoch.
    pub(super) created_day: i64,
    pub(super) secret: String,
    /// What the site's plugin has reported. A site added through the API has no plugin installed
    /// yet, so it reports nothing (modelled).
    pub(super) software: &'static [Software],
}

/// One entry of a site's software inventory. "Outdated" is derived from there being a newer
/// version, as in every entry of the docs' example, so the counts can never disagree.
pub(super) struct Software {
    name: &'static str,
    kind: &'static str,
    version: &'static str,
    version_new: Option<&'static str>,
    slug: Option<&'static str>,
    is_active: bool,
    is_vulnerable: bool,
}

impl Software {
    const fn new(name: &'static str, kind: &'static str, version: &'static str) -> Software {
        Software {
            name,
            kind,
            version,
            version_new: None,
            slug: None,
            is_active: true,
            is_vulnerable: false,
        }
    }

    const fn slug(mut self, slug: &'static str) -> Software {
        self.slug = Some(slug);
        self
    }

    const fn inactive(mut self) -> Software {
        self.is_active = false;
        self
    }

    const fn newer(mut self, version: &'static str) -> Software {
        self.version_new = Some(version);
        self
    }

    const fn vulnerable(mut self) -> Software {
        self.is_vulnerable = true;
        self
    }

    fn is_outdated(&self) -> bool {
        self.version_new.is_some()
    }

    fn view(&self) -> Value {
        json!({
            "name": self.name, "type": self.kind, "version": self.version,
            "version_new": self.version_new, "slug": self.slug, "is_active": self.is_active,
            "is_outdated": self.is_outdated(), "is_vulnerable": self.is_vulnerable
        })
    }
}

/// The docs' site-view example inventory (site 315).
const DOC_SOFTWARE: &[Software] = &[
    Software::new("PHP", "php", "7.4.3"),
    Software::new("Akismet Anti-Spam", "plugin", "5.0")
        .newer("5.0.1")
        .slug("akismet")
        .inactive(),
    Software::new("Hello Dolly", "plugin", "1.7.2")
        .slug("hello.php")
        .inactive(),
    Software::new("Patchstack Security", "plugin", "2.1.22").slug("patchstack"),
    Software::new("Twenty Twenty", "theme", "2.0").slug("twentytwenty"),
    Software::new("Twenty Twenty-One", "theme", "1.6").slug("twentytwentyone"),
    Software::new("Twenty Twenty-Two", "theme", "1.2").slug("twentytwentytwo"),
    Software::new("WordPress", "wordpress", "6.0.2")
        .newer("6.0.3")
        .vulnerable(),
];

/// Seeded so a vulnerable *plugin* exists somewhere too.
const TEST1_SOFTWARE: &[Software] = &[
    Software::new("PHP", "php", "8.1.2"),
    Software::new("Contact Form 7", "plugin", "5.3.1")
        .newer("5.3.2")
        .slug("contact-form-7")
        .vulnerable(),
    Software::new("Patchstack Security", "plugin", "2.1.22").slug("patchstack"),
    Software::new("Twenty Twenty-Two", "theme", "1.2").slug("twentytwentytwo"),
    Software::new("WordPress", "wordpress", "6.0.3"),
];

/// Seeded so one site is fully up to date.
const BLOG_SOFTWARE: &[Software] = &[
    Software::new("PHP", "php", "8.2.0"),
    Software::new("Patchstack Security", "plugin", "2.1.22").slug("patchstack"),
    Software::new("Twenty Twenty-Three", "theme", "1.1").slug("twentytwentythree"),
    Software::new("WordPress", "wordpress", "6.2"),
];

impl Store {
    pub(super) fn seeded() -> Store {
        let at = |y, m, d, secs: u64| days_from_civil(y, m, d) as u64 * 86_400 + secs;
        let user = |name: &str, email: &str, created_at, expires_at, class, renew_freq| User {
            name: name.into(),
            email: email.into(),
            created_at,
            expires_at,
            class,
            renew_freq,
            sso: None,
        };
        let site = |user_id, url: &str, created_day, secret: &str, software| Site {
            user_id,
            url: url.into(),
            created_day,
            secret: secret.into(),
            software,
        };
        let dave = user(
            "Dave",
            "support@patchstack.com",
            at(2017, 10, 19, 0),
            at(2025, 1, 1, 11 * 3600 + 11 * 60 + 11),
            "premium",
            "monthly",
        );
        let erin = user(
            "Erin",
            "erin@example.com",
            at(2021, 3, 2, 9 * 3600 + 30 * 60),
            at(2027, 3, 2, 9 * 3600 + 30 * 60),
            "free",
            "annually",
        );
        // Fixed secrets keep the seeded downloads and views deterministic.
        let sites = [
            (
                315,
                site(
                    1,
                    "https://my-site.com",
                    days_from_civil(2019, 1, 1),
                    DOC_SECRET,
                    DOC_SOFTWARE,
                ),
            ),
            (
                16106,
                site(
                    1,
                    "http://test1.com",
                    days_from_civil(2020, 5, 14),
                    "k9Qx2LmPz7VtR4sWc8YhN1bJd6FgA3eUo5iKq0Tn",
                    TEST1_SOFTWARE,
                ),
            ),
            (
                400,
                site(
                    2,
                    "https://blog.example.org",
                    days_from_civil(2021, 3, 2),
                    "Zr7Wm2Qp9XkL4vNc1BtH8sYd3GfJ6aUe0oPiT5qE",
                    BLOG_SOFTWARE,
                ),
            ),
        ];
        Store {
            now: unix_now(),
            users: BTreeMap::from([(1, dave), (2, erin)]),
            sites: BTreeMap::from(sites),
            next_user_id: 3,
            next_site_id: 16107,
        }
    }

    pub(super) fn today(&self) -> i64 {
        (self.now / 86_400) as i64
    }

    pub(super) fn user(&self, id: &str) -> Result<&User, Fail> {
        id.parse()
            .ok()
            .and_then(|id| self.users.get(&id))
            .ok_or_else(|| not_found(USER_NOT_FOUND))
    }

    pub(super) fn user_mut(&mut self, id: &str) -> Result<&mut User, Fail> {
        id.parse()
            .ok()
            .and_then(|id| self.users.get_mut(&id))
            .ok_or_else(|| not_found(USER_NOT_FOUND))
    }

    pub(super) fn site(&self, id: &str) -> Result<(u64, &Site), Fail> {
        id.parse()
            .ok()
            .and_then(|id| self.sites.get(&id).map(|s| (id, s)))
            .ok_or_else(|| not_found(SITE_NOT_FOUND))
    }

    /// The user with this email, compared case-insensitively as MySQL's default collation does.
    pub(super) fn user_by_email(&self, email: &str) -> Option<(u64, &User)> {
        self.users
            .iter()
            .find(|(_, u)| u.email.eq_ignore_ascii_case(email))
            .map(|(id, u)| (*id, u))
    }

    pub(super) fn sites_of(&self, user_id: u64) -> impl Iterator<Item = (u64, &Site)> {
        self.sites
            .iter()
            .filter(move |(_, s)| s.user_id == user_id)
            .map(|(id, s)| (*id, s))
    }

    /// The attacks blocked for a user: the sum over their sites' attack windows (modelled; the
    /// docs' two examples disagree, and this keeps the user, search and site views consistent).
    pub(super) fn blocked_attacks(&self, user_id: u64) -> u64 {
        let today = self.today();
        self.sites_of(user_id)
            .map(|(id, s)| {
                attack_window(id, s, today)
                    .iter()
                    .map(|(_, n)| n)
                    .sum::<u64>()
            })
            .sum()
    }

    /// The user object `user/search` answers and `user/{id}/view` nests.
    pub(super) fn user_view(&self, id: u64, user: &User) -> Value {
        json!({
            "id": id,
            "name": user.name,
            "email": user.email,
            "created_at": iso_datetime(user.created_at),
            "blocked_attacks": self.blocked_attacks(id),
            "expires_at": datetime(user.expires_at),
            "class": user.class,
            "renew_freq": user.renew_freq,
        })
    }

    pub(super) fn site_view(&self, id: u64, site: &Site) -> Value {
        let today = self.today();
        let attacks: Vec<Value> = attack_window(id, site, today)
            .into_iter()
            .map(|(day, num)| json!({"num": num, "dateday": date(day)}))
            .collect();
        let owner = self.users.get(&site.user_id);
        let user = owner.map_or(Value::Null, |u| {
            json!({
                "id": site.user_id,
                "name": u.name,
                "email": u.email,
                "created_at": iso_datetime(u.created_at),
                "site_count": self.sites_of(site.user_id).count(),
                "blocked_attacks": self.blocked_attacks(site.user_id),
            })
        });
        let software: Vec<Value> = site.software.iter().map(Software::view).collect();
        let outdated = site.software.iter().filter(|s| s.is_outdated()).count();
        let vulnerable = site.software.iter().filter(|s| s.is_vulnerable).count();
        json!({
            "id": id,
            "url": site.url,
            "created_at": date(site.created_day),
            "user": user,
            "attacks": attacks,
            "api": {"id": id, "secret": site.secret},
            "software": software,
            // The docs' example answers 1 although only WordPress core is vulnerable there, so any
            // vulnerable software counts (modelled).
            "has_vuln_plugin": u8::from(vulnerable > 0),
            "software_outdated": outdated,
            "software_vulnerable": vulnerable,
        })
    }

    /// Whether a site with this URL is registered by anyone, for `strict` adds.
    pub(super) fn url_taken(&self, url: &str) -> bool {
        let wanted = normalised_url(url);
        self.sites
            .values()
            .any(|s| normalised_url(&s.url) == wanted)
    }
}

/// The per-day attack counts of the window ending today: deterministic pseudo-random numbers per
/// site and day, mostly zero with occasional spikes like the docs' example. Days up to and
/// including the day the site was added count zero, as no plugin could have blocked anything yet
/// (modelled).
fn attack_window(id: u64, site: &Site, today: i64) -> Vec<(i64, u64)> {
    (today - ATTACK_WINDOW_DAYS + 1..=today)
        .map(|day| {
            let num = if day > site.created_day {
                attacks_on(id, day)
            } else {
                0
            };
            (day, num)
        })
        .collect()
}

fn attacks_on(site_id: u64, day: i64) -> u64 {
    let r = splitmix64(site_id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ day as u64);
    let spread = r >> 8;
    match r % 100 {
        0..70 => 0,
        70..90 => 1 + spread % 5,
        90..98 => 6 + spread % 35,
        _ => 100 + spread % 500,
    }
}

/// The form duplicates are compared in: scheme and host lowercased, no trailing slash.
fn normalised_url(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    match url.find("://") {
        Some(at) => {
            let rest = &url[at + 3..];
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            format!(
                "{}://{}{}",
                url[..at].to_ascii_lowercase(),
                rest[..end].to_ascii_lowercase(),
                &rest[end..]
            )
        }
        None => url.to_ascii_lowercase(),
    }
}

/// `Y-m-d`, as the site view's dates.
pub(super) fn date(day: i64) -> String {
    iso_seconds(day * 86_400)[..10].to_string()
}

/// `Y-m-d H:i:s` in UTC, as the docs' `expires_at` values.
pub(super) fn datetime(secs: u64) -> String {
    iso_seconds(secs as i64).replacen('T', " ", 1)
}

/// Laravel's JSON timestamp form, as the docs' `created_at` values: `2017-10-19T00:00:00.000000Z`.
pub(super) fn iso_datetime(secs: u64) -> String {
    iso_seconds(secs as i64) + ".000000Z"
}
