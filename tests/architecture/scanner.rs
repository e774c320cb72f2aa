//! Unit tests of the house rules' scanner (the tokenizer, path finder, module graph and
//! function spans of `tests/architecture.rs`), so that the rules can be trusted.

use super::*;

/// The paths found in `src`, as `a::b@line`, space-separated.
fn paths(src: &str) -> String {
    let paths = path_refs(&tokens(src)).into_iter();
    let paths = paths.map(|(segs, at)| format!("{}@{at}", segs.join("::")));
    paths.collect::<Vec<_>>().join(" ")
}

/// A graph with the given edges, written `from>to from>to …`.
fn graph(edges: &str) -> Graph {
    let mut graph = Graph::new();
    for (from, to) in edges.split(' ').filter_map(|edge| edge.split_once('>')) {
        let edges = graph.entry(from.to_string()).or_default();
        edges.insert(to.to_string(), String::new());
    }
    graph
}

#[test]
fn use_trees_and_inline_paths_are_found() {
    let src = "pub use crate::a::{b::C, d::{e,\nf::G as H}, self};\nuse super::*; use ::x::Y;";
    let leaves = "crate::a::b::C@1 crate::a::d::e@1 crate::a::d::f::G@2 crate::a@2";
    assert_eq!(paths(src), format!("{leaves} super::*@3 ::::x::Y@3"));
    let src = "crate::store::Store::start(x); v.a::<u8>(); a::b::<T>::c; $crate::m; X::<u8>";
    assert_eq!(paths(src), "crate::store::Store::start@1 a::b@1");
    let src = "fn f() -> impl Sized + use<'a> { self::x::y() }";
    assert_eq!(paths(src), "self::x::y@1");
}

#[test]
fn comments_and_literals_are_not_code() {
    let src = "/// [`crate::x::Y`]\n//! crate::z\nlet a = \"crate::s { \\\" }\"; /* { */\n\
               let b = '{'; let c = '\\''; fn f<'a>(x: &'a str) {}\nlet d = r#\"c \"{\"#;\
               // }\nlet r#type = br\"{\"; b'{'";
    let toks = tokens(src).into_iter().map(|Tok(t, n)| t + &n.to_string());
    let expected = "let3 a3 =3 ;3 let4 b4 =4 ;4 let4 c4 =4 ;4 fn4 f4 <4 '4 a4 >4 (4 x4 :4 \
                    &4 '4 a4 str4 )4 {4 }4 let5 d5 =5 ;5 let6 r6 #6 type6 =6 ;6 b6";
    assert_eq!(toks.collect::<Vec<_>>().join(" "), expected);
    let cut = [
        "a\n#[cfg(test)]\nmod t {}",
        "a\n #[cfg(test)] mod t;\n#[cfg(unix)]",
    ];
    assert_eq!(cut.map(non_test_part), ["a\n", "a\n"]);
}

#[test]
fn paths_resolve_to_the_longest_module_prefix() {
    let modules = "crate crate::a crate::a::b crate::a::sib crate::c";
    let modules: BTreeSet<String> = modules.split(' ').map(String::from).collect();
    let cases = "crate::a::b super::sib::Item crate::a::sib, crate::a::b super::Item crate::a, \
                 crate::a::b super::super::c::f crate::c, crate::a self::b::X crate::a::b, \
                 crate::a b::X crate::a::b, crate::c crate::Thing crate, crate::c b::X -, \
                 crate super::x -, crate actix::A -";
    for case in cases.split(", ") {
        let case: Vec<&str> = case.split(' ').collect();
        let segs: Vec<String> = case[1].split("::").map(String::from).collect();
        let found = resolve(case[0], &segs, &modules).unwrap_or("-".to_string());
        assert_eq!(found, case[2], "{case:?}");
    }
}

#[test]
fn circles_come_with_a_cycle_through_them() {
    let g = graph("a>b b>c c>a c>d d>e e>d");
    let found: Vec<Vec<String>> = circles(&g).into_iter().map(Vec::from_iter).collect();
    assert_eq!(found, [vec!["a", "b", "c"], vec!["d", "e"]]);
    assert_eq!(shortest_cycle(&g, "b"), ["b", "c", "a", "b"]);
    let g = graph("a>b b>a b>c c>a x>a");
    assert_eq!(shortest_cycle(&g, "c"), ["c", "a", "b", "c"]);
    assert!(circles(&graph("a>b b>c a>c")).is_empty());
}

#[test]
fn functions_span_from_fn_to_their_closing_brace() {
    let src = "trait T {\n fn decl(&self);\n fn dflt(&self, x: [u8; 4]) {\n  let s = \"}\";\
               \n  '}';\n }\n}\nfn outer() -> Box<dyn Fn()> {\n  Box::new(|| {})\n}";
    let found = functions(&tokens(src));
    assert_eq!(found, [("dflt".into(), 3, 4), ("outer".into(), 8, 3)]);
}
