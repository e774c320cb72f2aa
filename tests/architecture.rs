//! Switchboard's house rules, checked on the sources of the crates rooted at `src/lib.rs`,
//! `src/main.rs` and `actors/src/lib.rs` so the code stays easy to find and change: (1) no import
//! circles, a child importing from its ancestor included; (2) files and (3) functions of at most
//! 500 and 80 lines; (4) unique file names per crate; (5) a `//!` comment opening each module;
//! (6) the WebSocket wire (`actix_http::ws`) only in `src/ws/`; (7) no timer per item in an
//! actor many items share, every timer listed in [`TIMERS`] with why it is not. Test code (from
//! a file's first `#[cfg(test)]` line) is skipped. The scanner is a small tokenizer, not a
//! parser; its own tests are in `architecture/scanner.rs`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Most lines a file may have before its first `#[cfg(test)]`.
const MAX_FILE_LINES: usize = 500;
/// Most lines a function may span, from its `fn` line to its closing brace.
const MAX_FN_LINES: usize = 80;

/// A token (identifier, keyword, number, `::` or one punctuation char) and its line.
struct Tok(String, usize);

/// A module file: path from the workspace root, module path (`crate::a::b`), first non-blank
/// line unless it is `//!`, and the line count and tokens of its non-test part.
struct ModFile {
    rel: String,
    module: String,
    undocumented: Option<usize>,
    lines: usize,
    toks: Vec<Tok>,
}

/// Paths written in code: their segments and the line of the last one.
type Paths = Vec<(Vec<String>, usize)>;
/// Module -> imported module -> where it is first imported.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

/// The three crates, by root file, with their module files sorted by path.
fn crates() -> [(&'static str, Vec<ModFile>); 3] {
    ["src/lib.rs", "src/main.rs", "actors/src/lib.rs"].map(|root| (root, module_files(root)))
}

/// Reads a crate by following `mod name;` from its root file (relative to this package).
fn module_files(root_file: &str) -> Vec<ModFile> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut files, mut pending) = (Vec::new(), vec![(root_file.to_string(), "crate".into())]);
    while let Some((rel, module)) = pending.pop() {
        let full = std::fs::read_to_string(root.join(&rel))
            .unwrap_or_else(|error| panic!("cannot read {rel}: {error}"));
        let non_test = non_test_part(&full);
        let dir = match rel.rsplit_once('/') {
            Some((dir, file)) if rel == root_file || file == "mod.rs" => dir,
            _ => rel.trim_end_matches(".rs"),
        };
        let toks = tokens(non_test);
        let decls =
            (0..toks.len()).filter(|&i| text(&toks, i) == "mod" && text(&toks, i + 2) == ";");
        for (line, child) in decls.map(|i| (toks[i].1, &toks[i + 1].0)) {
            let candidates = [format!("{dir}/{child}.rs"), format!("{dir}/{child}/mod.rs")];
            let file = candidates.into_iter().find(|f| root.join(f).is_file());
            let file = file.unwrap_or_else(|| panic!("{rel}:{line}: no file for `mod {child};`"));
            pending.push((file, format!("{module}::{child}")));
        }
        let first = (1..).zip(full.lines()).find(|(_, l)| !l.trim().is_empty());
        let doc = |(n, l): (usize, &str)| (!l.trim_start().starts_with("//!")).then_some(n);
        let (undocumented, lines) = (first.map_or(Some(1), doc), non_test.lines().count());
        files.push(ModFile {
            rel,
            module,
            undocumented,
            lines,
            toks,
        });
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files
}

/// The part of a file before its first line starting with `#[cfg(test)]`.
fn non_test_part(text: &str) -> &str {
    let lines = text.split_inclusive('\n');
    let kept = lines.take_while(|line| !line.trim_start().starts_with("#[cfg(test)]"));
    &text[..kept.map(str::len).sum::<usize>()]
}

/// Splits source into tokens, skipping whitespace, comments (doc comments too) and literals.
fn tokens(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let (mut out, mut line, mut i) = (Vec::new(), 1, 0);
    let is_word = |ch: &char| ch.is_alphanumeric() || *ch == '_';
    while i < c.len() {
        let skip = literal_end(&c, i);
        let word = c[i..].iter().take_while(|ch| is_word(ch)).count();
        let punct = 1 + usize::from(c[i..].starts_with(&[':', ':']));
        let end = if skip > i { skip } else { i + word.max(punct) };
        if skip == i && !c[i].is_whitespace() {
            out.push(Tok(c[i..end].iter().collect(), line));
        }
        line += c[i..end].iter().filter(|&&ch| ch == '\n').count();
        i = end;
    }
    out
}

/// The index past the comment or literal starting at token start `i`, else `i`. A `'` opens a
/// char only as `'x'` or `'\…'` (else a lifetime); `r#x` is an identifier; `/* */` do not nest.
fn literal_end(c: &[char], i: usize) -> usize {
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let past = |from: usize, pattern: &[char]| {
        let found = (from..c.len()).find(|&k| c[k..].starts_with(pattern));
        found.map_or(c.len(), |k| k + pattern.len())
    };
    let raw = |from: usize| {
        let hashes = c[from..].iter().take_while(|&&ch| ch == '#').count();
        let close: Vec<char> = std::iter::once('"').chain(vec!['#'; hashes]).collect();
        let (quoted, body) = (at(from + hashes) == '"', from + hashes + 1);
        if quoted { past(body, &close) } else { i }
    };
    let quoted = || {
        let mut k = i + 1;
        while k < c.len() && c[k] != c[i] {
            k += if c[k] == '\\' { 2 } else { 1 };
        }
        (k + 1).min(c.len())
    };
    match (c[i], at(i + 1)) {
        ('/', '/') => past(i, &['\n']),
        ('/', '*') => past(i + 2, &['*', '/']),
        ('"', _) | ('\'', '\\') => quoted(),
        ('\'', _) if at(i + 2) == '\'' => i + 3,
        ('r', '"' | '#') => raw(i + 1),
        ('b' | 'c', 'r') => raw(i + 2),
        _ => i,
    }
}

/// The text of token `i`, or `""` past the end.
fn text(toks: &[Tok], i: usize) -> &str {
    toks.get(i).map_or("", |tok| tok.0.as_str())
}

/// Whether a token is an identifier or keyword.
fn is_ident(s: &str) -> bool {
    s.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

/// Every path: each leaf of each `use` tree and each inline `a::b` not after `::`, `.` or `$`.
fn path_refs(toks: &[Tok]) -> Paths {
    let (mut out, mut i) = (Vec::new(), 0);
    while i < toks.len() {
        let (this, prev) = (text(toks, i), if i == 0 { "" } else { text(toks, i - 1) });
        let path = is_ident(this) && text(toks, i + 1) == "::" && is_ident(text(toks, i + 2));
        let next = if this == "use" && text(toks, i + 1) != "<" {
            parse_use_tree(toks, i + 1, Vec::new(), &mut out)
        } else if path && !matches!(prev, "::" | "." | "$") {
            parse_use_tree(toks, i, Vec::new(), &mut out)
        } else {
            i + 1
        };
        i = next.max(i + 1);
    }
    out
}

/// Parses the use tree or inline path at token `i` under `prefix`, pushing each leaf (`{self}`
/// gives the prefix; `::<` ends a path) and returning the index after it.
fn parse_use_tree(toks: &[Tok], mut i: usize, mut prefix: Vec<String>, out: &mut Paths) -> usize {
    loop {
        match text(toks, i) {
            "::" if prefix.is_empty() => (prefix, i) = (vec!["::".to_string()], i + 1),
            "::" => i += 1,
            "{" => {
                i += 1;
                while !matches!(text(toks, i), "}" | "") {
                    let next = parse_use_tree(toks, i, prefix.clone(), out).max(i + 1);
                    i = next + usize::from(text(toks, next) == ",");
                }
                return i + 1;
            }
            t if is_ident(t) || t == "*" => {
                if t != "self" || prefix.is_empty() {
                    prefix.push(t.to_string());
                }
                let line = toks[i].1;
                i += if text(toks, i + 1) == "as" { 3 } else { 1 };
                let after = text(toks, i + 1);
                if text(toks, i) != "::" || !(is_ident(after) || matches!(after, "{" | "*")) {
                    out.push((prefix, line));
                    return i;
                }
            }
            _ => return i,
        }
    }
}

/// The module that a path in `module` refers to: the longest module prefix of its absolute form.
/// Only paths from `crate`, `self`, `super` or a child module of `module` count; others: `None`.
fn resolve(module: &str, segs: &[String], modules: &BTreeSet<String>) -> Option<String> {
    let mut abs: Vec<&str> = module.split("::").collect();
    let (first, child) = (segs.first()?, format!("{module}::{}", segs[0]));
    if !matches!(first.as_str(), "crate" | "self" | "super") && !modules.contains(&child) {
        return None;
    }
    for seg in segs {
        match seg.as_str() {
            "crate" => abs.truncate(1),
            "self" => {}
            "super" if abs.len() > 1 => _ = abs.pop(),
            "super" => return None,
            seg => abs.push(seg),
        }
    }
    let mut prefixes = (1..=abs.len()).rev().map(|n| abs[..n].join("::"));
    prefixes.find(|prefix| modules.contains(prefix))
}

/// A crate's imports, `file:line: from -> to via path` at their first use, split into (imports of
/// other modules, imports of an ancestor).
fn module_graph(files: &[ModFile]) -> (Graph, Graph) {
    let modules: BTreeSet<String> = files.iter().map(|f| f.module.clone()).collect();
    let (mut plain, mut upward) = (Graph::new(), Graph::new());
    for file in files {
        for (segs, line) in path_refs(&file.toks) {
            let to = match resolve(&file.module, &segs, &modules) {
                Some(to) if to != file.module => to,
                _ => continue,
            };
            let up = file.module.starts_with(&format!("{to}::"));
            let note = ["", " (the ancestor owns the child)"][usize::from(up)];
            let (from, via) = (&file.module, segs.join("::"));
            let seen = format!("{}:{line}: {from} -> {to}{note} via `{via}`", file.rel);
            let graph = if up { &mut upward } else { &mut plain };
            let edges = graph.entry(from.clone()).or_default();
            edges.entry(to).or_insert(seen);
        }
    }
    (plain, upward)
}

/// Breadth-first search: each module reached from `start` in one step or more (`start` too when
/// on a cycle), mapped to the module it was first reached from.
fn bfs(graph: &Graph, start: &str) -> BTreeMap<String, String> {
    let (mut parent, mut queue) = (BTreeMap::new(), VecDeque::from([start.to_string()]));
    while let Some(node) = queue.pop_front() {
        for next in graph.get(&node).into_iter().flat_map(BTreeMap::keys) {
            if !parent.contains_key(next) {
                parent.insert(next.clone(), node.clone());
                queue.push_back(next.clone());
            }
        }
    }
    parent
}

/// The strongly connected components of `graph` with more than one module.
fn circles(graph: &Graph) -> Vec<BTreeSet<String>> {
    let reach: BTreeMap<&String, _> = graph.keys().map(|n| (n, bfs(graph, n))).collect();
    let mut found: Vec<BTreeSet<String>> = Vec::new();
    for (node, ahead) in &reach {
        let back = |other: &&String| reach.get(*other).is_some_and(|r| r.contains_key(*node));
        let circle: BTreeSet<String> = ahead.keys().filter(back).cloned().collect();
        if circle.len() > 1 && !found.contains(&circle) {
            found.push(circle);
        }
    }
    found
}

/// A shortest cycle through `start` (which must be on one), as `[start, …, start]`.
fn shortest_cycle(graph: &Graph, start: &str) -> Vec<String> {
    let parent = bfs(graph, start);
    let step = |node: &&String| parent.get(*node).filter(|_| *node != start);
    let back = std::iter::successors(parent.get(start), step);
    let mut cycle: Vec<String> = back.cloned().collect();
    cycle.reverse();
    cycle.push(start.to_string());
    cycle
}

/// Rule 1 in a crate: each circle with cycles covering it and the imports in it, then each
/// import of an ancestor.
fn circle_findings((name, files): &(&str, Vec<ModFile>)) -> Vec<String> {
    let (plain, upward) = module_graph(files);
    let mut out = Vec::new();
    for circle in circles(&plain) {
        let (count, list) = (circle.len(), Vec::from_iter(circle.clone()).join(", "));
        out.push(format!("{name}: circle of {count} modules: {list}"));
        let mut covered = BTreeSet::new();
        for node in &circle {
            if !covered.contains(node) {
                let cycle = shortest_cycle(&plain, node);
                out.push(format!("  cycle: {}", cycle.join(" -> ")));
                covered.extend(cycle);
            }
        }
        for (_, edges) in plain.iter().filter(|(from, _)| circle.contains(*from)) {
            for (_, edge) in edges.iter().filter(|(to, _)| circle.contains(*to)) {
                out.push(format!("    {edge}"));
            }
        }
    }
    let ancestors = upward.values().flat_map(BTreeMap::values);
    out.extend(ancestors.map(|edge| format!("{name}: {edge}")));
    out
}

/// Fails with a rule's findings, one per line, under a header saying what to do; passes on none.
fn verdict(rule: &str, findings: &[String]) {
    let count = findings.iter().filter(|f| !f.starts_with(' ')).count();
    let list = findings.join("\n  ");
    let report = format!("\n{rule}: {count} finding(s)\n  {list}\n");
    assert!(findings.is_empty(), "{report}");
}

/// Checks a rule on every module file: `find` gives the findings for a file of a crate.
fn check(rule: &str, find: impl Fn(&str, &ModFile) -> Vec<String>) {
    let mut findings = Vec::new();
    for (name, files) in crates() {
        findings.extend(files.iter().flat_map(|file| find(name, file)));
    }
    verdict(rule, &findings);
}

#[test]
fn no_import_circles() {
    let findings: Vec<String> = crates().iter().flat_map(circle_findings).collect();
    let rule = "rule 1, no import circles (move what both sides need into a module below both; \
                a child never imports from its ancestors, the parent re-exports from children)";
    verdict(rule, &findings);
}

#[test]
fn files_are_small() {
    let rule = "rule 2, at most 500 lines per file (split into modules)";
    check(rule, |_, file| {
        let (rel, lines) = (&file.rel, file.lines);
        let finding = format!("{rel}: {lines} lines before any #[cfg(test)]");
        Vec::from_iter((lines > MAX_FILE_LINES).then_some(finding))
    });
}

/// Every function with a body: (name, line of `fn`, lines up to its closing brace). The body is
/// the first `{` outside `(…)` and `[…]`; a `;` before it means there is none (trait methods).
fn functions(toks: &[Tok]) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    for i in (0..toks.len()).filter(|&i| text(toks, i) == "fn" && is_ident(text(toks, i + 1))) {
        let (mut nesting, mut depth, start) = (0, 0, toks[i].1);
        for Tok(text, at) in &toks[i + 2..] {
            match text.as_str() {
                "(" | "[" => nesting += 1,
                ")" | "]" => nesting -= 1,
                ";" if nesting == 0 && depth == 0 => break,
                "{" => depth += 1,
                "}" if depth > 1 => depth -= 1,
                "}" => {
                    found.push((toks[i + 1].0.clone(), start, at + 1 - start));
                    break;
                }
                _ => {}
            }
        }
    }
    found
}

#[test]
fn functions_are_short() {
    let rule = "rule 3, at most 80 lines per function (extract helpers)";
    check(rule, |_, file| {
        let finding = |(name, at, n)| format!("{}:{at} fn {name}: {n} lines", file.rel);
        let all = functions(&file.toks);
        let long = all.into_iter().filter(|f| f.2 > MAX_FN_LINES);
        long.map(finding).collect()
    });
}

#[test]
fn file_names_are_unique_per_crate() {
    let mut findings = Vec::new();
    for (root, files) in crates() {
        let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for rel in files.iter().map(|file| file.rel.as_str()) {
            let file_name = rel.rsplit('/').next().unwrap_or(rel);
            if !matches!(file_name, "mod.rs" | "lib.rs" | "main.rs") {
                by_name.entry(file_name).or_default().push(rel);
            }
        }
        for (file_name, rels) in by_name.into_iter().filter(|(_, rels)| rels.len() > 1) {
            findings.push(format!("{root}: {file_name} is {}", rels.join(" and ")));
        }
    }
    let rule = "rule 4, unique file names per crate (rename all but one)";
    verdict(rule, &findings);
}

#[test]
fn every_module_says_what_it_does() {
    let rule = "rule 5, every module opens with `//!` saying what it does";
    check(rule, |_, file| {
        let at = |line| format!("{}:{line}: the first line is no `//!` comment", file.rel);
        Vec::from_iter(file.undocumented.map(at))
    });
}

#[test]
fn the_websocket_wire_stays_in_its_seam() {
    let rule =
        "rule 6, the WebSocket wire (actix_http::ws) only in src/ws/ (go through the socket layer)";
    check(rule, |name, file| {
        let seam = name == "src/lib.rs" && file.rel.starts_with("src/ws/");
        let finding = |line| format!("{}:{line}: uses the WebSocket wire", file.rel);
        let wire = file.toks.windows(3).filter(|w| {
            let words = (w[0].0.as_str(), w[1].0.as_str(), w[2].0.as_str());
            words == ("actix_http", "::", "ws") || words.0 == "actix_web_actors"
        });
        wire.filter(|_| !seam).map(|w| finding(w[0].1)).collect()
    });
}

/// Where a long-lived actor may spawn a timer, how many calls each file has, and why none is a
/// timer per item: an actix `Context` polls every future spawned on it each time the actor
/// wakes, so an actor that many items share keeps their instants in one
/// `kernel::deadlines::Deadlines` instead.
const TIMERS: &[(&str, usize, &str)] = &[
    (
        "actors/src/admin/feed.rs",
        1,
        "one statistics interval for all monitors",
    ),
    (
        "actors/src/calls/call.rs",
        3,
        "a Call is one pair: its own linger and deadlines",
    ),
    (
        "actors/src/calls/matchmaker.rs",
        1,
        "one coalesced round of queue positions per side",
    ),
    (
        "actors/src/kernel/deadlines.rs",
        1,
        "the one timer of a Deadlines",
    ),
    (
        "actors/src/takeover/directory.rs",
        1,
        "one sweep for the whole directory",
    ),
    (
        "actors/src/takeover/session/actor.rs",
        1,
        "a Session is one conversation: its tick",
    ),
    (
        "actors/src/takeover/session/desk_follow.rs",
        1,
        "one conversation's desk grace",
    ),
    (
        "src/ws/connection.rs",
        1,
        "a connection is one socket: its heartbeat",
    ),
];

#[test]
fn no_actor_spawns_a_timer_per_item() {
    let mut counted = BTreeMap::new();
    for (_, files) in crates() {
        for file in files {
            let calls = file.toks.windows(3).filter(|w| {
                let name = w[1].0.as_str();
                w[0].0 == "."
                    && w[2].0 == "("
                    && ["run_later", "run_interval", "notify_later"].contains(&name)
            });
            let calls = calls.count();
            if calls > 0 {
                counted.insert(file.rel, calls);
            }
        }
    }
    let declared: BTreeMap<String, usize> = TIMERS
        .iter()
        .map(|(rel, calls, _)| ((*rel).to_owned(), *calls))
        .collect();
    assert_eq!(
        counted, declared,
        "rule 7, no timer per item in an actor many items share (keep them in \
         kernel::deadlines, or add the call to TIMERS saying why it is not per item)"
    );
}

/// Unit tests of the scanner, so that the rules above can be trusted.
#[path = "architecture/scanner.rs"]
mod scanner;
