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

proptest::proptest! {
    /// Runs of ASCII between other letters fold as the general path does.
    #[test]
    fn mixed_text_folds_as_the_general_path(s in "[a-zA-Z0-9 .,;йЙёЁәҒқҢөҰүҺіАБВгдеÉéÅǅ\u{301}\u{212a}\u{37e}👩\u{200d}]{0,40}") {
        proptest::prop_assert_eq!(fold(&s), super::fold::fold_general(&s));
        let mut buf = "left over".to_string();
        fold_into(&s, &mut buf);
        proptest::prop_assert_eq!(buf, fold(&s));
    }
}

proptest::proptest! {
    /// For ASCII words, the byte fold finds exactly what the fold finds.
    #[test]
    fn ascii_fold_agrees_on_ascii_words(
        s in "[a-zA-Z .;`йЙёЁәҒқҢөҰүҺіАБВгдеÉéÅ\u{301}\u{483}\u{212a}\u{37e}\u{1fef}👩]{0,30}",
        w in "[a-z;`]{1,3}",
    ) {
        let mut buf = Vec::new();
        super::fold::fold_for_ascii_into(&s, &mut buf);
        let found = memchr::memmem::find(&buf, w.as_bytes()).is_some();
        proptest::prop_assert_eq!(found, fold(&s).contains(&w), "{:?} in {:?}", w, s);
    }
}

pub(super) static VIEW_READS: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

fn hits_json(hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| {
            format!(
                "{} {:?} {}",
                serde_json::to_string(h).unwrap(),
                h.ranges,
                h.path.display()
            )
        })
        .collect()
}

/// The borrowed view (files the summary cache vouches for) and the full
/// loader must find exactly the same entries, with the same text.
#[test]
fn folder_search_finds_the_same_through_the_view_and_the_full_loader() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::Store::new(dir.path());
    let now = Stamp::now();
    for (i, text) in [
        "Рекомендуется РАТИФИЦИРОВАТЬ Конвенцию о трудящихся-мигрантах",
        "Judicial review of détention orders, JUDICIAL oversight",
        "Қазақстан заңы: сот бақылауы (judicial) 👩‍⚖️",
        "escape \u{1b}]52;c;judicial\u{7} and bidi \u{202e}lacidu j",
    ]
    .iter()
    .enumerate()
    {
        let mut s = Session::from_template(&Template::builtin(), Some(&format!("S{i}")), now);
        s.blocks[i % 5].entries.push(Entry::new(
            Kind::Recommendation,
            *text,
            Some("ОҢ Judge".into()),
            now,
        ));
        s.blocks[(i + 1) % 5]
            .entries
            .push(Entry::new(Kind::Note, "nothing here", None, now));
        store.create(&s).unwrap();
    }
    // A file written by another tool, with \u escapes where we write raw
    // text: the view must unescape them as the loader does.
    let mut s = Session::from_template(&Template::builtin(), Some("Escaped"), now);
    s.blocks[2]
        .entries
        .push(Entry::new(Kind::Question, "JUDICIAL", None, now));
    let text = serde_json::to_string(&s)
        .unwrap()
        .replace("\"JUDICIAL\"", "\"\\u004aUDICIAL \\u0436\"");
    std::fs::write(dir.path().join("escaped.json"), text).unwrap();

    let queries = [
        Query::parse("judicial", None, None),
        Query::parse("ратифицировать", None, None),
        Query::parse("ж", None, None),
        Query::parse("", Some(Kind::Note), None),
        Query::parse("", None, Some("оң")),
        Query::parse("бақылауы judicial", Some(Kind::Recommendation), None),
    ];
    // Nothing cached yet (the files are too new): the full loader.
    let before = VIEW_READS.load(Ordering::Relaxed);
    let full: Vec<_> = queries
        .iter()
        .map(|q| hits_json(&search_folder(&store, q).unwrap().0))
        .collect();
    // Cache every file, as a listing an hour from now would.
    store
        .list_at(std::time::SystemTime::now() + std::time::Duration::from_secs(3600))
        .unwrap();
    let viewed: Vec<_> = queries
        .iter()
        .map(|q| hits_json(&search_folder(&store, q).unwrap().0))
        .collect();
    assert!(
        VIEW_READS.load(Ordering::Relaxed) >= before + 5 * queries.len(),
        "the view was not used"
    );
    assert_eq!(full, viewed);
    assert_eq!(full[0].len(), 4, "{:#?}", full[0]);
    assert!(full[2][0].contains("\\u004a") || full[2][0].contains("JUDICIAL ж"));
}

#[test]
fn ascii_fold_keeps_what_the_fold_joins_and_splits() {
    let found = |s: &str, w: &str| {
        let mut buf = Vec::new();
        super::fold::fold_for_ascii_into(s, &mut buf);
        memchr::memmem::find(&buf, w.as_bytes()).is_some()
    };
    for (s, w, want) in [
        ("JUDICIAL review", "judicial", true),
        ("judi\u{301}cial", "judicial", true),
        ("judi\u{483}cial", "judicial", true),
        ("Judicíal", "judicial", true),
        ("\u{408}UDICIAL", "judicial", false),
        ("судебный judicial контроль", "judicial", true),
        ("қазақ", "a", false),
    ] {
        assert_eq!(found(s, w), want, "{w:?} in {s:?}");
        assert_eq!(fold(s).contains(w), want, "{w:?} in {s:?} (fold)");
    }
}
