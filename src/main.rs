// Temporary driver until the CLI lands.
use beautylint::document::{parse, DocKind};
use beautylint::rules::Linter;
use beautylint::span::LineIndex;

fn walk(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        for e in v {
            walk(&e, out);
        }
    } else {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let linter = match Linter::new(beautylint::pack::Pack::builtin(), Default::default()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{:?}", miette::Report::new(*e));
            std::process::exit(2);
        }
    };
    let mut files = Vec::new();
    walk(std::path::Path::new(args.last().unwrap()), &mut files);
    let mut findings = Vec::new();
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        let doc = parse(&src, DocKind::from_path(&f));
        let idx = LineIndex::new(&src);
        for fi in linter.check(&doc) {
            let s = idx.line_col(&src, fi.span.start);
            let e = idx.line_col(&src, fi.span.end);
            findings.push(serde_json::json!({"rule": fi.rule, "path": f.display().to_string(), "message": fi.message,
              "span": {"start": fi.span.start, "end": fi.span.end, "line": s.line, "column": s.column, "end_line": e.line, "end_column": e.column},
              "text": &src[fi.span.range()], "data": fi.data}));
        }
    }
    println!("{}", serde_json::json!({"findings": findings}));
}
