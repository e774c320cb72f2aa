//! The `switchboard` binary. Receives flags, the environment and, later, SIGINT or SIGTERM;
//! starts logging, raises the open-file limit (one descriptor per socket), refuses settings
//! that are invalid or ask for more connections than that limit leaves room for, binds the
//! listener, sends the URL it serves as the first line on standard output (so a script that
//! starts it with `--port 0` learns the port without reading the log), and runs the hub until a
//! signal. `switchboard token --user ID --role ROLE [--ttl 1h]` mints a token instead.

use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;

use clap::Parser;
use switchboard::Config;
use switchboard::auth::command::TokenCommand;

#[actix_web::main]
async fn main() -> ExitCode {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|first| first == "token")
    {
        return mint_token();
    }
    let config = Config::from_env_and_args();
    env_logger::Builder::from_env(env_logger::Env::new().write_style("RUST_LOG_STYLE"))
        .parse_filters(&config.logging.filter)
        .init();
    match switchboard::raise_open_file_limit() {
        Ok(limit) => log::info!("open-file limit: {limit}"),
        Err(error) => log::warn!("cannot raise the open-file limit: {error}"),
    }
    let fits = |config: &Config| switchboard::fit_connections(config).map(drop);
    if let Err(error) = config.validate().and_then(|()| fits(&config)) {
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
    let bound = match listener.local_addr() {
        Ok(bound) => bound,
        Err(error) => {
            log::error!("cannot read the address bound at {address}: {error}");
            return ExitCode::from(1);
        }
    };
    let mut stdout = std::io::stdout();
    if let Err(error) = writeln!(stdout, "http://{bound}").and_then(|()| stdout.flush()) {
        log::warn!("cannot print the address on standard output: {error}");
    }
    match switchboard::run(config, listener).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// `switchboard token ...`: prints a token for development.
fn mint_token() -> ExitCode {
    let command = TokenCommand::parse_from(std::env::args_os().skip(1));
    match command.mint() {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("switchboard token: {error}");
            ExitCode::from(2)
        }
    }
}
