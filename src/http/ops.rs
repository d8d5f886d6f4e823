//! Operational endpoints: liveness, readiness (the database answers), Prometheus metrics.

use super::AppState;
use axum::{extract::State, http::StatusCode, response::IntoResponse};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::{sync::OnceLock, time::Duration};

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.services.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// The buckets of every duration histogram, in seconds: from a cached read (a millisecond) to the
/// upstream timeout's range. Histograms rather than summaries, so replicas' series add up.
pub const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How often recorded samples are folded into their buckets. Until then each sample is kept, so
/// without this a gateway nobody scraped grew by every request it served.
const UPKEEP: Duration = Duration::from_secs(5);

/// The process-wide recorder, installed on first use (several gateways may share a test process).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
        }
        keep_up(handle.clone(), UPKEEP);
        handle
    })
}

fn recorder() -> PrometheusRecorder {
    PrometheusBuilder::new()
        .set_buckets(BUCKETS)
        .expect("the buckets are a non-empty list")
        .build_recorder()
}

/// Folds samples into buckets every `every`, on a thread of its own: the recorder outlives any
/// runtime that happens to install it.
fn keep_up(handle: PrometheusHandle, every: Duration) {
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(every);
                handle.run_upkeep();
            }
        })
        .expect("a thread starts");
}

pub async fn metrics() -> impl IntoResponse {
    (
        [("content-type", "text/plain; version=0.0.4")],
        prometheus().render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicIsize, Ordering};

    /// Bytes allocated and not yet freed, process-wide.
    static LIVE: AtomicIsize = AtomicIsize::new(0);

    struct Counting;

    // SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    fn record(samples: usize) {
        for i in 0..samples {
            metrics::histogram!("hostplane_http_request_seconds", "surface" => "rest")
                .record((i % 100) as f64 / 1000.0);
        }
    }

    /// Nobody scrapes: a million requests' durations, recorded while the upkeep runs, leave memory
    /// where it was; without the upkeep the same samples are all kept. The histogram still counts
    /// every one of them.
    #[test]
    fn unscraped_durations_stay_bounded() {
        let every = Duration::from_millis(20);
        let kept = recorder();
        let handle = kept.handle();
        keep_up(handle.clone(), every);
        metrics::with_local_recorder(&kept, || record(1_000));
        std::thread::sleep(every * 3);
        let before = LIVE.load(Ordering::Relaxed);
        for _ in 0..20 {
            metrics::with_local_recorder(&kept, || record(50_000));
            std::thread::sleep(every * 3);
        }
        // What stays is about one round of samples (400 KB) that the recorder's epoch-based
        // reclamation has not freed yet, however many rounds there were.
        let grown = LIVE.load(Ordering::Relaxed) - before;
        assert!(
            grown < 1024 * 1024,
            "{grown} bytes kept for 1,000,000 samples"
        );
        let rendered = handle.render();
        let count: u64 = rendered
            .lines()
            .find_map(|l| l.strip_prefix("hostplane_http_request_seconds_count{surface=\"rest\"} "))
            .and_then(|n| n.parse().ok())
            .expect("a count");
        // A render that drains while the upkeep drains may miss a sample in flight (the recorder's
        // buckets race there); every one of the million is otherwise counted.
        assert!((1_000_000..=1_001_000).contains(&count), "{rendered}");
        assert!(
            rendered.contains("hostplane_http_request_seconds_bucket{surface=\"rest\",le=\"0.1\"}")
        );

        let unkept = recorder();
        let before = LIVE.load(Ordering::Relaxed);
        metrics::with_local_recorder(&unkept, || record(1_000_000));
        let grown = LIVE.load(Ordering::Relaxed) - before;
        assert!(grown > 4_000_000, "only {grown} bytes without upkeep");
    }
}
