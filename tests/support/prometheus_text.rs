//! A small strict reader of the Prometheus text format (version 0.0.4), for tests: every line
//! is a `# HELP`, a `# TYPE` or a sample of the family its `# TYPE` declared; names, labels and
//! values are checked as the format spells them, histogram buckets must be cumulative and end
//! at `+Inf` equal to their `_count`. [`parse`] panics on the first violation, naming the line.

use std::collections::{BTreeMap, HashMap};

/// The label set of a sample, sorted by name.
pub type Labels = BTreeMap<String, String>;

/// Every sample of an exposition: (name, labels) → value.
#[derive(Debug, Default)]
pub struct Exposition {
    /// The samples.
    pub samples: HashMap<(String, Labels), f64>,
    /// Each family's declared type.
    pub types: HashMap<String, String>,
}

impl Exposition {
    /// The value of the sample `name` with exactly `labels`, if there is one.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.samples.get(&(name.to_owned(), labels)).copied()
    }

    /// Like [`Exposition::value`], panicking when the sample is missing.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels)
            .unwrap_or_else(|| panic!("no sample {name}{labels:?}"))
    }
}

/// Reads `text`; panics naming the first line that breaks the format.
pub fn parse(text: &str) -> Exposition {
    let mut exposition = Exposition::default();
    let mut helped = HashMap::<String, bool>::new();
    let mut current: Option<(String, String)> = None;
    let mut buckets: Vec<(String, Labels, f64, f64)> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let at = |what: &str| format!("line {}: {what}: {line:?}", number + 1);
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, _) = rest.split_once(' ').unwrap_or((rest, ""));
            assert!(is_name(name), "{}", at("bad metric name"));
            assert!(
                helped.insert(name.into(), true).is_none(),
                "{}",
                at("HELP twice")
            );
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE has a name and a type");
            assert!(is_name(name), "{}", at("bad metric name"));
            let kinds = ["counter", "gauge", "histogram", "summary", "untyped"];
            assert!(kinds.contains(&kind), "{}", at("unknown type"));
            let known = exposition.types.insert(name.into(), kind.into());
            assert!(known.is_none(), "{}", at("TYPE twice"));
            current = Some((name.into(), kind.into()));
        } else {
            assert!(
                !line.starts_with('#') && !line.is_empty(),
                "{}",
                at("not a sample")
            );
            let (name, labels, value) =
                sample(line).unwrap_or_else(|| panic!("{}", at("bad sample")));
            let (family, kind) = current.as_ref().expect("a sample after its TYPE");
            assert!(
                belongs(&name, family, kind),
                "{}",
                at("sample outside its family")
            );
            if name.ends_with("_bucket") {
                buckets.push((name.clone(), labels.clone(), le(&labels), value));
            }
            let key = (name, labels);
            assert!(
                exposition.samples.insert(key, value).is_none(),
                "{}",
                at("sample twice")
            );
        }
    }
    check_buckets(&exposition, &buckets);
    exposition
}

/// Whether a sample named `name` may appear in the family `family` of type `kind`.
fn belongs(name: &str, family: &str, kind: &str) -> bool {
    let suffix = name.strip_prefix(family);
    match kind {
        "histogram" => matches!(suffix, Some("_bucket" | "_sum" | "_count")),
        "counter" => matches!(suffix, Some("" | "_total")),
        _ => suffix == Some(""),
    }
}

/// The `le` bound of a bucket.
fn le(labels: &Labels) -> f64 {
    let bound = labels.get("le").expect("a bucket has le");
    parse_value(bound).expect("le is a number")
}

/// Buckets grow with their bound and end at `+Inf`, which equals the `_count`.
fn check_buckets(exposition: &Exposition, buckets: &[(String, Labels, f64, f64)]) {
    let mut series: BTreeMap<(String, Labels), Vec<(f64, f64)>> = BTreeMap::new();
    for (name, labels, bound, value) in buckets {
        let mut rest = labels.clone();
        rest.remove("le");
        let family = name.trim_end_matches("_bucket").to_owned();
        series
            .entry((family, rest))
            .or_default()
            .push((*bound, *value));
    }
    for ((family, labels), mut points) in series {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let cumulative = points.windows(2).all(|pair| pair[0].1 <= pair[1].1);
        assert!(cumulative, "{family}{labels:?}: buckets not cumulative");
        let last = points.last().expect("a bucket");
        assert!(last.0.is_infinite(), "{family}{labels:?}: no +Inf bucket");
        let count = exposition
            .samples
            .get(&(format!("{family}_count"), labels.clone()));
        assert_eq!(
            count,
            Some(&last.1),
            "{family}{labels:?}: +Inf is the count"
        );
    }
}

/// A metric or label name.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A number as the format writes it.
fn parse_value(text: &str) -> Option<f64> {
    match text {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => text.parse().ok(),
    }
}

/// `name{labels} value [timestamp]`.
fn sample(line: &str) -> Option<(String, Labels, f64)> {
    let name_end = line.find(['{', ' '])?;
    let name = &line[..name_end];
    if !is_name(name) {
        return None;
    }
    let (labels, rest) = match line[name_end..].strip_prefix('{') {
        Some(inside) => label_set(inside)?,
        None => (Labels::new(), &line[name_end..]),
    };
    let mut fields = rest.strip_prefix(' ')?.split(' ');
    let value = parse_value(fields.next()?)?;
    if let Some(timestamp) = fields.next() {
        timestamp.parse::<i64>().ok()?;
    }
    fields
        .next()
        .is_none()
        .then(|| (name.to_owned(), labels, value))
}

/// `name="value",...}` and what follows it.
fn label_set(mut text: &str) -> Option<(Labels, &str)> {
    let mut labels = Labels::new();
    loop {
        if let Some(rest) = text.strip_prefix('}') {
            return Some((labels, rest));
        }
        let (name, rest) = text.split_once("=\"")?;
        if !is_name(name) {
            return None;
        }
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next()? {
                (i, '"') => break i,
                (_, '\\') => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    c @ ('\\' | '"') => value.push(c),
                    _ => return None,
                },
                (_, c) => value.push(c),
            }
        };
        labels
            .insert(name.to_owned(), value)
            .is_none()
            .then_some(())?;
        text = &rest[end + 1..];
        text = text.strip_prefix(',').unwrap_or(text);
    }
}
