//! An answer streamed at a pace. Receives the answer's chunks and the pause between two; sends
//! them one by one, the first at once, as a stream a socket can follow and cancel.

use std::time::Duration;

use futures_util::Stream;

/// `chunks` as a stream: the first at once, each next one `every` later.
pub fn paced(chunks: Vec<String>, every: Duration) -> impl Stream<Item = String> {
    futures_util::stream::unfold(
        (chunks.into_iter(), true),
        move |(mut rest, first)| async move {
            let chunk = rest.next()?;
            if !first {
                tokio::time::sleep(every).await;
            }
            Some((chunk, (rest, false)))
        },
    )
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    #[actix_rt::test]
    async fn chunks_come_in_order_one_interval_apart_the_first_at_once() {
        tokio::time::pause();
        let every = Duration::from_millis(50);
        let started = tokio::time::Instant::now();
        let mut stream = std::pin::pin!(paced(vec!["a".into(), "b".into(), "c".into()], every));
        let mut seen = Vec::new();
        while let Some(chunk) = stream.next().await {
            seen.push((chunk, started.elapsed()));
        }
        let chunks: Vec<&str> = seen.iter().map(|(chunk, _)| chunk.as_str()).collect();
        assert_eq!(chunks, ["a", "b", "c"]);
        assert_eq!(seen[0].1, Duration::ZERO, "the first chunk comes at once");
        for pair in seen.windows(2) {
            let gap = pair[1].1 - pair[0].1;
            // The timer rounds a deadline up to its next millisecond.
            assert!(
                gap >= every && gap <= every + Duration::from_millis(1),
                "{gap:?}"
            );
        }
    }
}
