//! `cargo bench -p kafkalint-bench`: the corpus through the whole pipeline in-process, the same
//! bytes through raw yaml-rust2 (the floor), kustomize over the corpus kustomizations, and the
//! pipeline over 1x/2x/5x copies of the corpus (10x to 1000x: `kafkalint-bench scaling`).
//! Without the corpus beside the repository the benches measure nothing.

use std::sync::OnceLock;

use divan::counter::BytesCount;
use divan::Bencher;
use kafkalint_bench::{
    bytes, corpus_dir, kustomize_all, kustomize_dirs, lint_files, load_corpus, raw_parse, scaled,
    yaml_only, File,
};

fn main() {
    divan::main();
}

fn corpus() -> &'static [File] {
    static CORPUS: OnceLock<Vec<File>> = OnceLock::new();
    CORPUS.get_or_init(|| load_corpus(&corpus_dir()).unwrap_or_default())
}

#[divan::bench(sample_count = 20)]
fn corpus_lint(b: Bencher) {
    let files = corpus();
    b.counter(BytesCount::new(bytes(files)))
        .bench(|| lint_files(files));
}

#[divan::bench(sample_count = 20)]
fn yaml_lint(b: Bencher) {
    let files = yaml_only(corpus());
    b.counter(BytesCount::new(bytes(&files)))
        .bench(|| lint_files(&files));
}

#[divan::bench(sample_count = 20)]
fn yaml_raw_parse(b: Bencher) {
    let files = yaml_only(corpus());
    b.counter(BytesCount::new(bytes(&files)))
        .bench(|| raw_parse(&files));
}

#[divan::bench(sample_count = 10)]
fn kustomize_corpus(b: Bencher) {
    let dirs = kustomize_dirs(&corpus_dir());
    b.bench(|| kustomize_all(&dirs));
}

#[divan::bench(args = [1, 2, 5], sample_count = 3, sample_size = 1)]
fn scaling(b: Bencher, factor: usize) {
    let files = scaled(corpus(), factor);
    b.counter(BytesCount::new(bytes(&files)))
        .bench(|| lint_files(&files));
}
