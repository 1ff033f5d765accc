//! Enables the AVX-512 code paths (`cfg(permkit_avx512)`) only on compilers
//! where AVX-512 target features and intrinsics are stable (Rust >= 1.89), so
//! the crate keeps building on its declared minimum Rust version.

use std::process::Command;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(permkit_avx512)");
    println!("cargo:rerun-if-env-changed=RUSTC");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let Ok(output) = Command::new(rustc).arg("--version").output() else {
        return;
    };
    let version = String::from_utf8_lossy(&output.stdout);
    // "rustc 1.95.0 (...)": compare (major, minor).
    let mut numbers = version
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    if (major, minor) >= (1, 89) {
        println!("cargo:rustc-cfg=permkit_avx512");
    }
}
