//! Builds the vendored Mbed TLS and NNG (vendor/, see vendor/README.md) as static libraries
//! with CMake, NNG's TLS on that Mbed TLS, and links them into the crate.
//!
//! Nothing is taken from the system but a C compiler, CMake (with make) and the C library:
//! NNG's CMake finds Mbed TLS through the package configuration the first build installed
//! (`MbedTLS_DIR`), with the system's prefixes closed to its lookups, so an installed
//! libmbedtls-dev is never used.

use std::env;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let vendor = manifest_dir.join("vendor");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=mbedtls_user_config.h");
    println!("cargo:rerun-if-changed=vendor");

    // Mbed TLS and NNG must agree on Mbed TLS's configuration: both compile with this file.
    let user_config = manifest_dir.join("mbedtls_user_config.h");
    let user_config_flag =
        format!("-DMBEDTLS_USER_CONFIG_FILE=\"\\\"{}\\\"\"", path_str(&user_config));

    let mbedtls = cmake::Config::new(vendor.join("mbedtls"))
        .out_dir(out_dir.join("mbedtls"))
        // Cryptography is optimized whatever the Rust profile: a debug build's handshakes
        // and records would otherwise run unoptimized.
        .profile("Release")
        .define("ENABLE_PROGRAMS", "OFF")
        .define("ENABLE_TESTING", "OFF")
        .define("MBEDTLS_FATAL_WARNINGS", "OFF")
        // Python only runs a configuration check whose script is not vendored.
        .define("CMAKE_DISABLE_FIND_PACKAGE_Python3", "ON")
        .define("USE_STATIC_MBEDTLS_LIBRARY", "ON")
        .define("USE_SHARED_MBEDTLS_LIBRARY", "OFF")
        .define("CMAKE_INSTALL_LIBDIR", "lib")
        .define("CMAKE_POSITION_INDEPENDENT_CODE", "ON")
        .cflag(&user_config_flag)
        .build();
    let mbedtls_lib = mbedtls.join("lib");

    let nng = cmake::Config::new(vendor.join("nng"))
        .out_dir(out_dir.join("nng"))
        .define("BUILD_SHARED_LIBS", "OFF")
        .define("NNG_TESTS", "OFF")
        .define("NNG_TOOLS", "OFF")
        .define("NNG_ENABLE_NNGCAT", "OFF")
        .define("NNG_ENABLE_COVERAGE", "OFF")
        .define("NNG_ENABLE_STATS", "OFF")
        .define("NNG_ENABLE_TLS", "ON")
        .define("NNG_TLS_ENGINE", "mbed")
        .define("CMAKE_INSTALL_LIBDIR", "lib")
        .define("CMAKE_POSITION_INDEPENDENT_CODE", "ON")
        // Mbed TLS from the build above, by the package configuration it installed, and nothing
        // from the system's prefixes (/usr, /usr/local) or package registries: an installed
        // libmbedtls-dev must not be found.
        .define("CMAKE_FIND_PACKAGE_PREFER_CONFIG", "ON")
        .define("MbedTLS_DIR", mbedtls_lib.join("cmake").join("MbedTLS"))
        .define("CMAKE_FIND_USE_CMAKE_SYSTEM_PATH", "OFF")
        .define("CMAKE_FIND_USE_PACKAGE_REGISTRY", "OFF")
        .define("CMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY", "OFF")
        .cflag(&user_config_flag)
        .build();

    println!("cargo:rustc-link-search=native={}", path_str(&nng.join("lib")));
    println!("cargo:rustc-link-search=native={}", path_str(&mbedtls_lib));
    // In dependency order: NNG uses Mbed TLS's TLS, X.509 and crypto libraries, in that order.
    for lib in ["nng", "mbedtls", "mbedx509", "mbedcrypto"] {
        println!("cargo:rustc-link-lib=static={lib}");
    }
}

/// A path as the UTF-8 string CMake and the compiler flags take.
fn path_str(path: &Path) -> &str {
    path.to_str().expect("the build directories have UTF-8 paths")
}
