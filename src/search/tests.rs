use super::*;
use crate::model::{Entry, Template};

#[test]
fn folds_case_and_accents_in_every_script() {
    assert_eq!(fold("РАТИФИЦИРОВАТЬ"), "ратифицировать");
    assert_eq!(fold("Қ"), "қ");
    assert_eq!(fold("ӘҒҚҢӨҰҮҺІ"), "әғқңөұүһі");
    assert_eq!(fold("Élection Ünion"), "election union");
    assert_eq!(fold("Ёлка"), "елка");
    assert_eq!(fold("日本語 👋"), "日本語 👋");
}

#[test]
fn ranges_map_back_to_the_original() {
    let text = "Мы предлагаем РАТИФИЦИРОВАТЬ конвенцию";
    let r = match_ranges(text, &[fold("ратифицировать")]);
    assert_eq!(r.len(), 1);
    assert_eq!(&text[r[0].0..r[0].1], "РАТИФИЦИРОВАТЬ");
    let text = "Café and CAFÉ";
    let r = match_ranges(text, &["cafe".into()]);
    assert_eq!(r.len(), 2);
    assert_eq!(&text[r[1].0..r[1].1], "CAFÉ");
}

fn index() -> Index {
    let now = Stamp::now();
    let mut s = Session::from_template(&Template::builtin(), Some("One"), now);
    s.blocks[0].entries.push(Entry::new(
        Kind::Recommendation,
        "Рекомендуется ратифицировать Конвенцию",
        Some("МОТ".into()),
        now,
    ));
    s.blocks[1].entries.push(Entry::new(
        Kind::Note,
        "Қазақстан заңы",
        Some("Majilis".into()),
        now,
    ));
    s.blocks[1]
        .entries
        .push(Entry::new(Kind::Question, "Ratify when?", None, now));
    let mut ix = Index::new();
    ix.add(PathBuf::from("one.json"), s);
    ix
}

#[test]
fn search_folds_the_query_and_filters() {
    let ix = index();
    let (hits, n) = ix.search(&Query::parse("РАТИФИЦИРОВАТЬ", None, None), 10);
    assert_eq!(n, 1);
    assert_eq!(hits[0].block, 1);
    assert_eq!(hits[0].speaker.as_deref(), Some("МОТ"));
    let (hits, _) = ix.search(&Query::parse("Қ", None, None), 10);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].block, 2);
    let (_, n) = ix.search(&Query::parse("ratif", None, None), 10);
    assert_eq!(n, 1, "Latin 'ratif' does not match Cyrillic");
    let (_, n) = ix.search(&Query::parse("", Some(Kind::Question), None), 10);
    assert_eq!(n, 1);
    let (_, n) = ix.search(&Query::parse("", None, Some("majil")), 10);
    assert_eq!(n, 1);
    let (_, n) = ix.search(&Query::parse("заңы қазақстан", None, None), 10);
    assert_eq!(n, 1, "all words, any order");
    // Cyrillic "а", in two entries.
    let (hits, n) = ix.search(&Query::parse("а", None, None), 1);
    assert_eq!((hits.len(), n), (1, 2), "limit keeps the count");
}

#[test]
fn fast_paths_agree_with_the_general_fold() {
    for cp in 0u32..0x3000 {
        if let Some(c) = char::from_u32(cp) {
            let s = c.to_string();
            assert_eq!(fold(&s), super::fold::fold_general(&s), "U+{cp:04X}");
        }
    }
}
