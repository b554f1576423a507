//! What a node keeps: a figure recomputed after a write is computed by one request while the
//! others asking the same wait for it.

use luoshi_storage::testing::TestDb;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn a_figure_asked_by_many_at_once_is_computed_once() {
    let t = TestDb::new().await.unwrap();
    let computed = Arc::new(AtomicUsize::new(0));
    let ask = |key: &'static str| {
        let (db, computed) = (t.db.clone(), computed.clone());
        async move {
            db.memo_written(key, || async move {
                computed.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(key.len())
            })
            .await
            .unwrap()
        }
    };
    let (a, b, c, d) = tokio::join!(ask("the same question"), ask("the same question"), ask("the same question"), ask("another"));
    assert_eq!((a, b, c, d), (17, 17, 17, 7));
    assert_eq!(computed.load(Ordering::SeqCst), 2, "each question once");
}
