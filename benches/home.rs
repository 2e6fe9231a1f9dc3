//! Home's performance targets (issue 5) at 10,000 profiles, measured by criterion:
//!
//! - `home/first_frame`: both files read from disk (`store::load_both`), Home's model built
//!   and one frame rendered at 120×40 into ratatui's `TestBackend`; target ≤ 100 ms.
//! - `home/filter_keypress`: one character typed into the open filter, through the key map
//!   (`keys::to_msg`) and `Model::update`, then one frame rendered; target ≤ 5 ms. The filter
//!   holds `p` and the key is `5`, as in `scripts/bench.sh`'s run (`/p5`).
//! - `home/filter_first_key`: the same for the first key, `p` into the empty filter, which
//!   every profile matches.
//!
//! Peak memory (≤ 40 MB) is measured on the real binary by `scripts/bench.sh`. The fixture
//! is `benches/fixture/mod.rs`'s, the same as `benches/profiles.rs` and `scripts/bench.sh` use.
//!
//! Run with `cargo bench --bench home`. Sample counts and times are kept small for two cores.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::OffsetDateTime;

use credwiz::key_health::HealthCache;
use credwiz::profiles::{FilePaths, store};
use credwiz::tui::home::keys;
use credwiz::tui::home::model::{Files, ModeKind, Model};
use credwiz::tui::home::view;
use credwiz::tui::theme::Theme;

mod fixture;
use fixture::{PROFILES, fixture};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("a time")
}

/// Reads both files and builds Home's model, as `run_home` does on start.
fn load_model(paths: &FilePaths) -> Model {
    let loaded = store::load_both(paths).expect("both fixture files load");
    let files = Files {
        config: Ok(loaded.config),
        credentials: Ok(loaded.credentials),
    };
    Model::new(paths, files, HealthCache::default(), now(), WIDTH, HEIGHT)
}

/// Draws one frame of Home.
fn render(terminal: &mut Terminal<TestBackend>, model: &Model) {
    terminal
        .draw(|frame| view::view(model, Theme::colored(), frame))
        .expect("drawing works");
}

fn screen(buffer: &Buffer) -> String {
    buffer.content().iter().map(|cell| cell.symbol()).collect()
}

/// One key press through the key map and `update`, as Home's loop handles it.
fn press(model: &mut Model, code: KeyCode) {
    let event = KeyEvent::new(code, KeyModifiers::NONE);
    let msg = keys::to_msg(&event, model).expect("the key means something");
    let effects = model.update(msg);
    assert!(
        effects.is_empty(),
        "typing in the filter asks for no effects"
    );
}

/// Benchmarks typing `key` into the open filter holding `before`: each iteration is one key
/// press and one frame, timed; Backspace restores the filter between iterations, untimed.
fn bench_keypress(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    paths: &FilePaths,
    before: &str,
    key: char,
) {
    let mut model = load_model(paths);
    press(&mut model, KeyCode::Char('/'));
    assert_eq!(model.mode_kind(), ModeKind::Filter, "`/` opens the filter");
    for c in before.chars() {
        press(&mut model, KeyCode::Char(c));
    }
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal");
    render(&mut terminal, &model);
    let visible_before = model.visible.len();
    press(&mut model, KeyCode::Char(key));
    render(&mut terminal, &model);
    let visible_after = model.visible.len();
    assert_eq!(model.filter.value(), format!("{before}{key}"));
    assert!(
        visible_after > 0 && visible_after <= visible_before,
        "the filter `{before}{key}` keeps {visible_after} of {visible_before} profiles"
    );
    press(&mut model, KeyCode::Backspace);
    assert_eq!(model.filter.value(), before);
    assert_eq!(model.visible.len(), visible_before);

    group.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let start = Instant::now();
                press(&mut model, KeyCode::Char(key));
                render(&mut terminal, black_box(&model));
                total += start.elapsed();
                press(&mut model, KeyCode::Backspace);
            }
            total
        })
    });
}

fn home(c: &mut Criterion) {
    let (config_text, credentials_text) = fixture(PROFILES);
    let folder = tempfile::tempdir().expect("a temporary folder");
    let paths = FilePaths {
        config: folder.path().join("config"),
        credentials: folder.path().join("credentials"),
    };
    std::fs::write(&paths.config, &config_text).expect("write the config fixture");
    std::fs::write(&paths.credentials, &credentials_text).expect("write the credentials fixture");
    drop((config_text, credentials_text));

    // Check once that the measured path does the whole job.
    let model = load_model(&paths);
    assert!(
        model.problems.is_empty(),
        "the fixture loads without problems"
    );
    assert_eq!(model.rows.len(), PROFILES + 1, "p0..p9999 and default");
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal");
    render(&mut terminal, &model);
    let first = screen(terminal.backend().buffer());
    assert!(first.contains("p1"), "the first frame lists profiles");
    drop(model);

    let mut group = c.benchmark_group("home");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));

    // The model and terminal are dropped outside the timing: Home keeps them after its first frame.
    group.bench_function("first_frame", |b| {
        b.iter_with_large_drop(|| {
            let model = load_model(black_box(&paths));
            let mut terminal =
                Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal");
            render(&mut terminal, &model);
            (model, terminal)
        })
    });

    group.measurement_time(Duration::from_secs(3));
    bench_keypress(&mut group, "filter_keypress", &paths, "p", '5');
    bench_keypress(&mut group, "filter_first_key", &paths, "", 'p');
    group.finish();
}

criterion_group!(benches, home);
criterion_main!(benches);
