//! The heap advice works on the main thread's heap, which libtest's worker threads do not use,
//! so this test has its own `main`.

fn main() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists() {
        advised_heap_has_the_hugepage_flag();
    } else {
        println!("huge_pages: this kernel has no transparent huge pages; nothing to check");
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn advised_heap_has_the_hugepage_flag() {
    use kafkalint_cli::heap::{use_huge_pages, HugePages, RESERVE};
    let HugePages::Advised(start, end) = use_huge_pages() else {
        panic!("the heap was not advised");
    };
    assert!(
        end - start >= RESERVE - 4 * (2 << 20),
        "advised only {start:#x}-{end:#x}"
    );
    let smaps = std::fs::read_to_string("/proc/self/smaps").expect("read /proc/self/smaps");
    let mut mapping = None;
    let mut flags = None;
    for line in smaps.lines() {
        let first = line.split(' ').next().unwrap_or("");
        if let Some((a, b)) = first.split_once('-') {
            if let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16)) {
                mapping = Some((a, b));
                continue;
            }
        }
        if let (Some((a, b)), Some(f)) = (mapping, line.strip_prefix("VmFlags:")) {
            if a <= start && end <= b {
                flags = Some(f.to_string());
                break;
            }
        }
    }
    let flags = flags.expect("a mapping covers the advised range");
    assert!(
        flags.split_whitespace().any(|f| f == "hg"),
        "the advised range has no hg flag: {flags}"
    );
    println!("huge_pages: {:#x}-{:#x} advised ({flags})", start, end);
}
