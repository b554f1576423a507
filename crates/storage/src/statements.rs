//! A migration file as the statements it holds, for a database that takes one statement at a
//! time (a distributed engine refuses several in one command). Splits on `;` outside quotes,
//! dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`) and `--` comments; drops empty statements.

/// The statements of `sql`, in order, each without its `;`.
pub fn split(sql: &str) -> Vec<String> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(b.len(), |n| i + n);
            }
            b'\'' => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            b'$' => {
                // A dollar quote's tag: `$` letters/digits/underscore `$` (not `$1`, a parameter).
                let tag_end = sql[i + 1..].find('$').map(|n| i + 1 + n);
                let tag_ok = tag_end.is_some_and(|e| {
                    sql[i + 1..e].bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') && !sql[i + 1..e].starts_with(|c: char| c.is_ascii_digit())
                });
                if let (Some(e), true) = (tag_end, tag_ok) {
                    let tag = &sql[i..=e];
                    i = sql[e + 1..].find(tag).map_or(b.len(), |n| e + 1 + n + tag.len() - 1);
                }
            }
            b';' => {
                push(&mut out, &sql[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push(&mut out, &sql[start.min(sql.len())..]);
    out
}

fn push(out: &mut Vec<String>, stmt: &str) {
    // A statement of comments alone is nothing to send.
    let meaningful = stmt.lines().map(|l| l.split("--").next().unwrap_or("")).any(|l| !l.trim().is_empty());
    if meaningful {
        out.push(stmt.trim().to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn statements_outside_quotes_bodies_and_comments() {
        let sql = "-- a comment; with a semicolon\nCREATE TABLE a (x TEXT DEFAULT 'a;b''c');\n\
                   CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RAISE EXCEPTION 'x;y';\nEND\n$$;\n\
                   SELECT $1::text; SELECT $tag$ ; $tag$;\n-- only a comment\n";
        let s = split(sql);
        assert_eq!(s.len(), 4, "{s:#?}");
        assert!(s[0].ends_with("DEFAULT 'a;b''c')"));
        assert!(s[1].starts_with("CREATE FUNCTION") && s[1].ends_with("$$"));
        assert_eq!(s[2], "SELECT $1::text");
        assert_eq!(s[3], "SELECT $tag$ ; $tag$");
    }

    #[test]
    fn every_postgres_migration_splits_into_whole_statements() {
        for (_, name, sql) in crate::MIGRATIONS_POSTGRES {
            let s = split(sql);
            assert!(!s.is_empty(), "{name}");
            for st in &s {
                let dollars = st.matches("$$").count();
                assert_eq!(dollars % 2, 0, "{name}: a body cut in two: {st}");
            }
        }
    }
}
