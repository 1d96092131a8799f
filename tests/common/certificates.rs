//! Throwaway TLS certificates for the tests that run TLS: a certificate authority and a server
//! certificate it signed for `localhost` and `127.0.0.1`.
//!
//! Owns: making them in a test's temporary directory. It must not start anything.

use crate::common::TempDir;

/// A certificate authority (`<name>-ca.pem`) and, if `server`, a certificate it signed for
/// `localhost` and `127.0.0.1` followed by its key (`<name>-server.pem`).
pub fn make_certificates(dir: &TempDir, name: &str, server: bool) -> (String, Option<String>) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, format!("{name} test CA"));
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
        .expect("CA certificate");
    let ca_path = dir.file(&format!("{name}-ca.pem"), &ca.pem());
    let server = server.then(|| {
        let key = KeyPair::generate().expect("key");
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let mut params = CertificateParams::new(names).expect("params");
        params.distinguished_name.push(DnType::CommonName, "localhost");
        let cert = params.signed_by(&key, &ca).expect("certificate");
        dir.file(&format!("{name}-server.pem"), &format!("{}{}", cert.pem(), key.serialize_pem()))
    });
    (ca_path, server)
}
