/*
 * Additions to Mbed TLS's default configuration (include/mbedtls/mbedtls_config.h) for the
 * build in build.rs. Mbed TLS and NNG are both compiled with this file
 * (-DMBEDTLS_USER_CONFIG_FILE), so both see the same structures.
 *
 * NNG runs TLS handshakes and records on several of its threads at once, and Mbed TLS 3.6
 * keeps global PSA crypto state (key slots, the random generator) that is only safe to share
 * between threads with its threading layer on.
 */
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_PTHREAD
