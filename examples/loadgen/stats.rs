//! Latency samples and their percentiles. Receives one sample per delivered message (in
//! microseconds) and sends summaries to the report.

use serde::Serialize;

/// Every latency sample of a run, in microseconds.
#[derive(Debug, Default)]
pub struct Latencies {
    /// Unsorted samples.
    samples: Vec<u32>,
}

/// Percentiles of a run, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    /// Samples summarised.
    pub count: usize,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest sample.
    pub max_ms: f64,
}

impl Latencies {
    /// Records one sample.
    pub fn record(&mut self, micros: u64) {
        self.samples.push(micros.min(u64::from(u32::MAX)) as u32);
    }

    /// Adds another set of samples.
    pub fn merge(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
    }

    /// Sorts the samples and reads the percentiles.
    pub fn summary(mut self) -> Summary {
        if self.samples.is_empty() {
            return Summary::default();
        }
        self.samples.sort_unstable();
        let at = |quantile: f64| {
            let index = ((self.samples.len() as f64 * quantile).ceil() as usize)
                .clamp(1, self.samples.len())
                - 1;
            f64::from(self.samples[index]) / 1000.0
        };
        Summary {
            count: self.samples.len(),
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            p999_ms: at(0.999),
            max_ms: at(1.0),
        }
    }
}
