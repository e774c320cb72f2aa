//! The `switchboard` binary: reads the config from flags and the environment, starts logging,
//! raises the open-file limit (one descriptor per socket), binds the listener and runs the hub
//! until SIGINT or SIGTERM.

use std::net::TcpListener;
use std::process::ExitCode;

use switchboard::Config;

#[actix_web::main]
async fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match switchboard::raise_open_file_limit() {
        Ok(limit) => log::info!("open-file limit: {limit}"),
        Err(error) => log::warn!("cannot raise the open-file limit: {error}"),
    }
    let config = Config::from_env_and_args();
    if let Err(error) = config.validate() {
        log::error!("invalid configuration: {error}");
        return ExitCode::from(2);
    }
    let address = config.bind_address();
    let listener = match TcpListener::bind(&address) {
        Ok(listener) => listener,
        Err(error) => {
            log::error!("cannot bind {address}: {error}");
            return ExitCode::from(1);
        }
    };
    match switchboard::run(config, listener).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log::error!("{error}");
            ExitCode::FAILURE
        }
    }
}
