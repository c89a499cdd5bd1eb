//! The shape ARCHITECTURE.md promises, kept: no source file over 600 lines, no function over 120,
//! no library module that imports `cli` or prints (printing and progress live in `cli`).

use std::path::{Path, PathBuf};

fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for e in std::fs::read_dir(dir).expect("src/ can be listed") {
            let p = e.expect("a folder entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("a source file reads");
                out.push((p, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    assert!(out.len() > 50, "src/ has only {} files: not the tree it should be", out.len());
    out
}

/// Lines of each `fn` body, counted by braces outside strings, chars and comments.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(at) = t.find("fn ") else { continue };
        let head = &t[..at];
        if !(head.is_empty()
            || head.split_whitespace().all(|w| ["pub", "pub(crate)", "pub(super)", "const", "unsafe", "async"].contains(&w)))
        {
            continue;
        }
        let name: String = t[at + 3..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let (mut depth, mut opened) = (0i32, false);
        for (j, l) in lines.iter().enumerate().skip(i) {
            if !opened && l.trim_end().ends_with(';') && !l.contains('{') {
                break; // a declaration without a body
            }
            for c in code_of(l).chars() {
                match c {
                    '{' => (depth, opened) = (depth + 1, true),
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth <= 0 {
                out.push((name.clone(), i + 1, j - i + 1));
                break;
            }
        }
    }
    out
}

/// A line without its comment and the contents of its string and char literals (good enough
/// for brace counting in rustfmt'd code).
fn code_of(line: &str) -> String {
    let (mut out, mut chars) = (String::new(), line.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => break,
            '"' => {
                while let Some(d) = chars.next() {
                    match d {
                        '\\' => drop(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                // A char literal ('{', '\'') or a lifetime ('a): skip only the literal.
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') {
                    while let Some(d) = chars.next() {
                        if d == '\'' {
                            break;
                        }
                    }
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn no_source_file_is_over_600_lines_and_no_function_over_120() {
    let mut long = Vec::new();
    for (path, text) in sources() {
        let n = text.lines().count();
        if n > 600 {
            long.push(format!("{}: {n} lines", path.display()));
        }
        for (name, line, len) in functions(&text) {
            if len > 120 {
                long.push(format!("{}:{line}: fn {name} is {len} lines", path.display()));
            }
        }
    }
    assert!(long.is_empty(), "split these (ARCHITECTURE.md, rules of the tree):\n{}", long.join("\n"));
}

#[test]
fn the_brace_counter_measures_functions() {
    let text =
        "fn a() {\n    let s = \"}}\"; // }\n    let c = '{';\n}\npub(crate) fn b<'a>(x: &'a str) -> &'a str {\n    x\n}\nfn decl();\n";
    assert_eq!(functions(text), vec![("a".to_string(), 1, 4), ("b".to_string(), 5, 3)]);
}

#[test]
fn no_library_module_imports_cli_or_prints() {
    let mut bad = Vec::new();
    for (path, text) in sources() {
        let rel = path.to_string_lossy().replace('\\', "/");
        if rel.contains("/src/cli/") || rel.ends_with("/src/main.rs") {
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            let code = code_of(line);
            for bad_use in ["crate::cli", "super::cli", "println!", "eprintln!", "print!(", "eprint!(", "indicatif"] {
                if code.contains(bad_use) {
                    bad.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(bad.is_empty(), "printing and progress belong to cli:\n{}", bad.join("\n"));
}
