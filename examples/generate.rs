//! Generates realistic session files for benchmarks and load tests.
//!
//! cargo run --release --example generate -- DIR SESSIONS ENTRIES
//!
//! Writes SESSIONS files of ENTRIES entries each into DIR, with the
//! built-in agenda, several speakers, and text in English, Russian and
//! Kazakh. The same arguments always give the same files (a fixed seed),
//! so runs can be compared.

use std::path::PathBuf;

use rapporteur::model::{Entry, Kind, Participant, Session, Stamp, Template};
use rapporteur::store::Store;

const PHRASES: &[&str] = &[
    "The draft should guarantee access to the courts for every migrant worker",
    "Рекомендуется ратифицировать Конвенцию МОТ № 143 и привести закон в соответствие",
    "Work permits should not tie a worker to a single employer",
    "Социальные взносы должны сохраняться при возвращении работника на родину",
    "Көші-қон заңы мигранттардың құқықтарын қорғауы тиіс",
    "Detention must be a last resort, with judicial review within 48 hours",
    "Women domestic workers need the same protection as other workers #gender-equality",
    "Нужно закрепить принцип невысылки в тексте закона",
    "Integration courses should be an offer, not a condition for renewal",
    "Access to the labour market after six months of legal stay #labour-market",
    "Дискриминация по признаку гражданства должна быть запрещена #non-discrimination",
    "Family reunification should follow three years of lawful residence",
];

const SPEAKERS: &[&str] = &[
    "ILO",
    "UN Women",
    "IOM",
    "UNHCR",
    "OSCE/ODIHR",
    "Majilis",
    "Ministry of Labour and Social Protection",
    "Айгерим Сарсенова",
    "Ерлан Жумабеков",
];

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

/// A session of `entries` entries spread over the agenda's blocks.
fn session(n: usize, entries: usize, rng: &mut Lcg) -> Session {
    let start: Stamp = "2011-05-19T09:00:00+06:00".parse().expect("valid stamp");
    let start = start.plus_seconds(n as i64 * 86_400);
    let title = format!("Workshop {n} on the draft migration law");
    let mut s = Session::from_template(&Template::builtin(), Some(&title), start);
    s.id = format!("gen{n:07}");
    s.location = "Astana".into();
    s.participants = SPEAKERS
        .iter()
        .map(|sp| Participant::new(*sp, ""))
        .collect();
    let blocks = s.blocks.len();
    for i in 0..entries {
        let kind = Kind::ALL[(rng.next() % 5) as usize];
        let text = format!("{} ({}). {}", rng.pick(PHRASES), i, rng.pick(PHRASES));
        let mut e = Entry::new(
            kind,
            text,
            Some(rng.pick(SPEAKERS).to_string()),
            start.plus_seconds(i as i64 * 20),
        );
        e.id = format!("e{n:05}x{i:06}");
        s.blocks[i * blocks / entries.max(1)].entries.push(e);
    }
    s.updated = start.plus_seconds(entries as i64 * 20);
    s
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 3 {
        eprintln!("usage: generate DIR SESSIONS ENTRIES");
        std::process::exit(2);
    }
    let dir = PathBuf::from(&args[0]);
    let sessions: usize = args[1].parse().expect("SESSIONS is a number");
    let entries: usize = args[2].parse().expect("ENTRIES is a number");
    let store = Store::new(&dir);
    let mut rng = Lcg(0x5eed);
    for n in 0..sessions {
        let s = session(n, entries, &mut rng);
        if let Err(e) = store.create(&s) {
            eprintln!("generate: {e}");
            std::process::exit(1);
        }
    }
    println!(
        "wrote {sessions} sessions of {entries} entries into {}",
        dir.display()
    );
}
