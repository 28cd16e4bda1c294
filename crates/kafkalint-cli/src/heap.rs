//! Transparent huge pages for the heap of a lint run.
//!
//! A lint builds a tree of many small nodes. On 4 KiB pages the kernel faults the heap in one
//! page at a time, about 5,400 faults for the public corpus, which in a VM is a fifth of the
//! run. glibc only asks for huge pages when `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` is set
//! before the process starts, so the CLI does the same thing itself: it grows the heap once by
//! [`RESERVE`] and advises that range `MADV_HUGEPAGE`. The range is address space, not memory:
//! only the 2 MiB pages a run touches become resident.

/// Heap grown and advised at start; a run that needs more continues on ordinary pages.
pub const RESERVE: usize = 64 << 20;

/// What [`use_huge_pages`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HugePages {
    /// This heap range (start, end) is advised.
    Advised(usize, usize),
    /// The platform or allocator has no such knob, or the kernel refused the advice.
    Unavailable,
}

/// Grow the heap by [`RESERVE`] and advise it for transparent huge pages. Call it once, early;
/// it is harmless when the kernel has THP disabled (the advice is then ignored).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn use_huge_pages() -> HugePages {
    const PROBE: usize = 64 << 10;
    const HUGE_PAGE: usize = 2 << 20;
    // SAFETY: mallopt, sbrk(0), malloc and free are used as glibc documents them; sbrk(0) only
    // reads the break, and every block malloc returns is freed before returning.
    unsafe {
        // Also makes frees keep that much at the top of the heap instead of trimming it.
        if libc::mallopt(libc::M_TOP_PAD, RESERVE as libc::c_int) == 0 {
            return HugePages::Unavailable;
        }
        let before = libc::sbrk(0) as usize;
        // Blocks under the mmap threshold (128 KiB) come from free space in the heap and then
        // from its top; once that is used up, glibc grows the heap by the block plus the pad.
        let mut probes = [std::ptr::null_mut(); 64];
        let mut after = before;
        for slot in probes.iter_mut() {
            *slot = libc::malloc(PROBE);
            after = libc::sbrk(0) as usize;
            if after > before {
                break;
            }
        }
        for p in probes {
            libc::free(p);
        }
        // Only whole, aligned 2 MiB pages can be huge.
        let start = before.next_multiple_of(HUGE_PAGE);
        if after < start + HUGE_PAGE {
            return HugePages::Unavailable;
        }
        let end = after - after % HUGE_PAGE;
        if libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) != 0 {
            return HugePages::Unavailable;
        }
        HugePages::Advised(start, end)
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn use_huge_pages() -> HugePages {
    HugePages::Unavailable
}
