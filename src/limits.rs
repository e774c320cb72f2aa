//! The process's open-file limit. Receives nothing; raises the limit once at start so that one
//! process can hold tens of thousands of sockets (one descriptor each), and reports what it got.

use rlimit::Resource;

/// The most descriptors the kernel lets one process have (`/proc/sys/fs/nr_open`), or a
/// conservative fallback.
fn kernel_ceiling() -> u64 {
    std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(1 << 20)
}

/// Raises the open-file limit as far as this process may: up to the kernel's ceiling when it is
/// privileged, else up to its hard limit. Returns the soft limit now in force.
pub fn raise_open_file_limit() -> std::io::Result<u64> {
    let ceiling = kernel_ceiling();
    if Resource::NOFILE.set(ceiling, ceiling).is_ok() {
        return Ok(ceiling);
    }
    rlimit::increase_nofile_limit(ceiling)
}
