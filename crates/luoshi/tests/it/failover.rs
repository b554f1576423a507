//! Failover: a PostgreSQL primary with a synchronous standby (`deploy/pg-pair.sh`), two luoshi
//! nodes given both hosts, the primary killed under write load and the standby promoted. Every
//! write a node acknowledged is on the new primary; the time without writes is measured.

use super::durability::{admin_client, all_present, create_unit, seeded_server, start_serve};
use super::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The pair of servers, removed when the test ends however it ends.
struct Pair(&'static str);

impl Pair {
    fn run(&self, what: &[&str]) -> String {
        let (code, out, err) = run(Command::new("bash").arg(self.0).args(what));
        assert_eq!(code, 0, "pg-pair.sh {what:?}: {out}{err}");
        out
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(self.0).arg("clean").status();
    }
}

/// What one writer saw: each acknowledged unit with when it was acknowledged, and the statuses.
type Seen = (Vec<(Instant, String)>, std::collections::BTreeMap<u16, usize>);

fn writer(node: usize, w: usize, base: String, client: reqwest::Client, csrf: String, county: i64, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<Seen> {
    tokio::spawn(async move {
        let (mut ok, mut statuses) = (Vec::new(), std::collections::BTreeMap::new());
        let mut i = 0;
        while !stop.load(Ordering::Relaxed) {
            let name = format!("切换测试局{node}-{w}-{i}");
            let (s, body) = create_unit(&client, &base, &csrf, county, &name).await;
            *statuses.entry(s).or_default() += 1;
            if s == 201 {
                ok.push((Instant::now(), name));
            } else {
                // While there is no primary the node says so and takes nothing.
                assert!(s == 503 && body["error"]["code"] == "unavailable", "node {node}: {s} {body}");
            }
            i += 1;
        }
        (ok, statuses)
    })
}

#[tokio::test]
#[ignore = "starts a PostgreSQL pair of its own on ports 5433 and 5434; .ci/run runs it alone"]
async fn failover_to_the_synchronous_standby_loses_no_acknowledged_write() {
    let pair = Pair(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/pg-pair.sh"));
    pair.run(&["clean"]);
    pair.run(&["start"]);
    let url = pair.run(&["createdb", "luoshi_failover"]).trim().to_string();
    assert!(url.contains(",127.0.0.1:"), "{url}");
    // Two nodes on the list of both hosts, as a deployment behind a load balancer.
    let (county, mut first, base1, client1, csrf1) = seeded_server(&url).await;
    let (mut second, addr2) = start_serve(&url);
    let base2 = format!("http://{addr2}");
    let (client2, csrf2) = admin_client(&base2).await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..2 {
        writers.push(writer(1, w, base1.clone(), client1.clone(), csrf1.clone(), county, stop.clone()));
        writers.push(writer(2, w, base2.clone(), client2.clone(), csrf2.clone(), county, stop.clone()));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let killed = Instant::now();
    pair.run(&["kill-primary"]);
    // The time a failover manager (or the operator) takes to decide the primary is lost.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let promoting = Instant::now();
    pair.run(&["promote"]);
    let promoted = Instant::now();
    // Both nodes write again by themselves; then a little more load on the new primary.
    let mut probes = Vec::new();
    for (node, base, client, csrf) in [(1, &base1, &client1, &csrf1), (2, &base2, &client2, &csrf2)] {
        let back = async {
            for k in 0..300 {
                let name = format!("切换后探测{node}-{k}");
                if create_unit(client, base, csrf, county, &name).await.0 == 201 {
                    return Some((Instant::now(), name));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            None
        };
        probes.push(back.await.unwrap_or_else(|| panic!("{base} did not write again within 30 s of the promotion")));
        assert_eq!(reqwest::get(format!("{base}/readyz")).await.unwrap().status(), 200);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut acknowledged, mut statuses) = (probes, std::collections::BTreeMap::<u16, usize>::new());
    for w in writers {
        let (ok, s) = w.await.unwrap();
        acknowledged.extend(ok);
        for (k, v) in s {
            *statuses.entry(k).or_default() += v;
        }
    }
    for child in [&mut first, &mut second] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    acknowledged.sort_by_key(|(t, _)| *t);
    let before = acknowledged.iter().filter(|(t, _)| *t < killed).count();
    let after = acknowledged.iter().filter(|(t, _)| *t > promoted).count();
    assert!(before > 20 && after > 20, "too few writes to prove anything: {before} before the kill, {after} after the promotion");
    // The time without writes: the longest stretch between two acknowledgements, on any node.
    let gap = acknowledged.windows(2).map(|w| w[1].0.duration_since(w[0].0)).max().unwrap();
    let first_after = acknowledged.iter().find(|(t, _)| *t > promoting).map(|(t, _)| *t).unwrap();
    // Every acknowledged write is on the promoted standby, and the audit chain holds.
    let names: Vec<String> = acknowledged.iter().map(|(_, n)| n.clone()).collect();
    let (d, _) = all_present(&url, &names).await;
    assert!(luoshi_storage::audit::verify(&d).await.unwrap().broken.is_none());
    d.close().await;
    let status = pair.run(&["status"]);
    assert!(status.contains(":5434 primary"), "{status}");
    eprintln!(
        "failover: {} acknowledged writes ({before} before the kill, {after} after the promotion), 0 lost; \
         no write acknowledged for {} ms (the primary killed, the standby promoted 1 s later ({} ms to promote), \
         the first write {} ms after the promotion began); statuses {statuses:?}",
        names.len(),
        gap.as_millis(),
        promoted.duration_since(promoting).as_millis(),
        first_after.duration_since(promoting).as_millis(),
    );
}
