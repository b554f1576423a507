//! Prometheus metrics: request counts and latency histograms per route, kept per node (each
//! node is scraped on its own, as Prometheus expects).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    // (method, route, status) -> series
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        if let Ok(mut m) = self.series.lock() {
            let s = m.entry((method.to_string(), route.to_string(), status)).or_default();
            s.count += 1;
            s.sum += secs;
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    /// The text exposition format.
    pub fn render(&self, extra: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP luoshi_http_requests_total HTTP requests by route and status.\n# TYPE luoshi_http_requests_total counter\n");
        let m = match self.series.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        for ((method, route, status), s) in m.iter() {
            out.push_str(&format!("luoshi_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}\n", s.count));
        }
        out.push_str("# HELP luoshi_http_request_duration_seconds Request latency.\n# TYPE luoshi_http_request_duration_seconds histogram\n");
        let mut per_route: BTreeMap<(&str, &str), (u64, f64, [u64; BUCKETS.len()])> = BTreeMap::new();
        for ((method, route, _), s) in m.iter() {
            let e = per_route.entry((method, route)).or_insert((0, 0.0, [0; BUCKETS.len()]));
            e.0 += s.count;
            e.1 += s.sum;
            for i in 0..BUCKETS.len() {
                e.2[i] += s.buckets[i];
            }
        }
        for ((method, route), (count, sum, b)) in per_route {
            for (i, le) in BUCKETS.iter().enumerate() {
                out.push_str(&format!("luoshi_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{le}\"}} {}\n", b[i]));
            }
            out.push_str(&format!("luoshi_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"+Inf\"}} {count}\n"));
            out.push_str(&format!("luoshi_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {sum}\n"));
            out.push_str(&format!("luoshi_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {count}\n"));
        }
        for (name, help, v) in extra {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}\n"));
        }
        out
    }
}
