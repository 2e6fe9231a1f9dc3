//! Library benchmarks on a large, realistic pair of AWS files: 10,000 profiles in each.
//!
//! The fixture is generated here, in memory, and never committed (by `benches/fixture/mod.rs`,
//! shared with `benches/home.rs`). `scripts/bench.sh` generates the byte-identical files (its
//! Python generator follows `fixture::fixture` step for step) to time the `credwiz` binary
//! against the AWS CLI; set `CREDWIZ_BENCH_WRITE_FIXTURE=DIR` to have this
//! bench write its copy to `DIR/config` and `DIR/credentials` so the two can be compared.
//!
//! Run with `cargo bench --bench profiles`. Sample counts and times are kept small so a run
//! takes well under a minute on two cores.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

use credwiz::profiles::{Document, Edit, ProfileSet};

mod fixture;
use fixture::{PROFILES, fixture};

/// The profile edited by the `set` benchmark: one in the middle of both files.
const MIDDLE: &str = "p5000";

fn write_fixture_if_asked(config: &str, credentials: &str) {
    let Some(dir) = std::env::var_os("CREDWIZ_BENCH_WRITE_FIXTURE") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create the fixture folder");
    std::fs::write(dir.join("config"), config).expect("write the config fixture");
    std::fs::write(dir.join("credentials"), credentials).expect("write the credentials fixture");
}

fn profiles(c: &mut Criterion) {
    let (config_text, credentials_text) = fixture(PROFILES);
    write_fixture_if_asked(&config_text, &credentials_text);
    let config = Document::parse(&config_text).expect("the config fixture parses");
    let credentials = Document::parse(&credentials_text).expect("the credentials fixture parses");
    let set = ProfileSet::read(&config, &credentials);
    assert_eq!(set.profiles.len(), PROFILES + 1, "p0..p9999 and default");

    let mut group = c.benchmark_group("profiles");
    // Flat sampling: the same iteration count in every sample, so the millisecond-long
    // benchmarks fit their 20 samples in the measurement time.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    group.throughput(Throughput::Bytes(config_text.len() as u64));
    group.bench_function("parse/config", |b| {
        b.iter(|| Document::parse(black_box(&config_text)).unwrap())
    });
    group.throughput(Throughput::Bytes(credentials_text.len() as u64));
    group.bench_function("parse/credentials", |b| {
        b.iter(|| Document::parse(black_box(&credentials_text)).unwrap())
    });

    group.throughput(Throughput::Elements(PROFILES as u64));
    group.bench_function("read/both", |b| {
        b.iter(|| ProfileSet::read(black_box(&config), black_box(&credentials)))
    });

    let edit = Edit::Set {
        profile: MIDDLE.to_string(),
        key: "region".to_string(),
        value: "eu-north-1".to_string(),
    };
    let changes = edit.apply(&config, &credentials).expect("the edit applies");
    assert!(changes.config.is_some() && changes.credentials.is_none());
    group.bench_function("set/middle", |b| {
        b.iter(|| {
            edit.apply(black_box(&config), black_box(&credentials))
                .unwrap()
        })
    });

    group.throughput(Throughput::Bytes(config_text.len() as u64));
    group.bench_function("render/config", |b| b.iter(|| black_box(&config).render()));
    group.throughput(Throughput::Bytes(credentials_text.len() as u64));
    group.bench_function("render/credentials", |b| {
        b.iter(|| black_box(&credentials).render())
    });

    // The whole in-memory path of `credwiz set`: parse both, apply, re-parse the result.
    group.throughput(Throughput::Elements(1));
    group.bench_function("set/parse-apply-reparse", |b| {
        b.iter(|| {
            let config = Document::parse(black_box(&config_text)).unwrap();
            let credentials = Document::parse(black_box(&credentials_text)).unwrap();
            let changes = edit.apply(&config, &credentials).unwrap();
            Document::parse(changes.config.as_deref().unwrap()).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, profiles);
criterion_main!(benches);
