//! The connection budget at start: the binary refuses, with a clear message and exit status 2,
//! a connection limit set above what its open-file limit leaves room for (the defaults shrink to
//! fit instead; see the unit tests of `limits`).

mod support;

use support::binary::run_binary_to_exit;

#[actix_rt::test]
async fn a_socket_limit_above_the_open_file_limit_stops_the_binary_at_start() {
    let (status, stderr) = run_binary_to_exit(&[("WS_MAX_CONNECTIONS", "1000000000000")]).await;
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("WS_MAX_CONNECTIONS (1000000000000)") && stderr.contains("open-file limit"),
        "the refusal names the setting and the limit: {stderr}"
    );
}
