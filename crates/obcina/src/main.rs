//! `obcina`: the digital municipality platform in one binary.

mod app;
mod backup;
mod datasets;
mod demo;
mod kpi;
mod ops;
mod pb_cli;
mod portal;
mod route_cli;
mod simulate;

use clap::{Args, Parser, Subcommand};
use kernel::Role;
use std::net::SocketAddr;
use std::path::PathBuf;

// glibc's allocator took a seventh of the server's time under sensor
// ingestion (many short-lived vectors per batch); mimalloc's per-thread heaps cost a fraction.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "obcina", version, about = "The digital municipality platform (Mestna občina Ptuj and others)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives; shared by every command.
#[derive(Args, Clone)]
struct Storage {
    /// Directory for the embedded SQLite database and the key file.
    #[arg(long, env = "OBCINA_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Use PostgreSQL instead of the embedded SQLite, e.g. postgres://user:pass@host/db.
    #[arg(long, env = "OBCINA_DATABASE_URL")]
    database_url: Option<String>,
    /// Key file (field encryption, blind index, audit MAC); default DATA_DIR/keys.toml.
    #[arg(long, env = "OBCINA_KEYS_FILE")]
    keys_file: Option<PathBuf>,
    /// TOML configuration file (municipality, policies); flags and OBCINA_* variables win.
    #[arg(long, env = "OBCINA_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the platform: web application, API and workers.
    Serve {
        #[command(flatten)]
        storage: Storage,
        /// Address to listen on.
        #[arg(long, env = "OBCINA_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Public URL of the portal (for links in e-mails); default http://LISTEN.
        #[arg(long, env = "OBCINA_PUBLIC_URL")]
        public_url: Option<String>,
        /// SMTP server, e.g. smtp://user:pass@mail.example.si:587; unset: e-mail goes to the log.
        #[arg(long, env = "OBCINA_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// Sender address of platform e-mail.
        #[arg(long, env = "OBCINA_MAIL_FROM")]
        mail_from: Option<String>,
        /// Address of the embedded MQTT broker (default 127.0.0.1:1883), or `off`.
        #[arg(long, env = "OBCINA_MQTT_LISTEN")]
        mqtt_listen: Option<String>,
        /// Do not load the Ptuj demo data into an empty database.
        #[arg(long, env = "OBCINA_NO_DEMO")]
        no_demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        storage: Storage,
    },
    /// Manage accounts from the command line.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Encryption keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// API tokens for machines (sensor gateways, integrations, the simulator).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Feed a running instance with a realistic stream for the Ptuj demo
    /// fleet (4,200 luminaires, 8,000 water meters with leaks, 300 bins, air,
    /// weather, rivers, chargers, heating): first the history, then live.
    Simulate(crate::simulate::Args),
    /// Take a consistent snapshot while the server runs.
    Backup {
        #[command(flatten)]
        storage: Storage,
        /// File to write.
        #[arg(long)]
        to: PathBuf,
        /// Encrypt the snapshot with the passphrase in this environment variable.
        #[arg(long)]
        passphrase_env: Option<String>,
    },
    /// Participatory budgets: count, check and export Pabulib .pb files.
    Pb {
        #[command(subcommand)]
        command: pb_cli::PbCommand,
    },
    /// Visitors' walking routes: solve a route problem from a JSON file.
    Route {
        #[command(subcommand)]
        command: route_cli::RouteCommand,
    },
    /// Verify a snapshot and restore it into an empty data directory.
    Restore {
        /// Snapshot file.
        #[arg(long)]
        from: PathBuf,
        /// Data directory to restore into (must not hold a database).
        #[arg(long)]
        data_dir: PathBuf,
        /// Passphrase environment variable for an encrypted snapshot.
        #[arg(long)]
        passphrase_env: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create (or promote) a staff member, DTO or administrator.
    Add {
        #[command(flatten)]
        storage: Storage,
        #[arg(long)]
        email: String,
        /// staff, dto or admin (citizens register themselves).
        #[arg(long, default_value = "staff")]
        role: String,
        #[arg(long)]
        department: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Force a password change at next sign-in (evidence of compromise).
    ForcePasswordChange {
        #[command(flatten)]
        storage: Storage,
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exit code 1 if an entry was changed or removed.
    Verify {
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a token and print its secret (once).
    Issue {
        #[command(flatten)]
        storage: Storage,
        /// What the token is for, e.g. "Simulator".
        #[arg(long)]
        name: String,
        /// A scope; repeat for several (profile:read, telemetry:write, catalog:read, reports:write).
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Days until it expires.
        #[arg(long, default_value_t = 365)]
        days: u64,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new data key and re-encrypt every personal field with it.
    Rotate {
        #[command(flatten)]
        storage: Storage,
    },
}

fn main() -> std::process::ExitCode {
    limit_heap_growth();
    let cli = Cli::parse();
    app::init_logging();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match cli.command {
        Command::Serve { storage, listen, public_url, smtp_url, mail_from, no_demo, mqtt_listen } => {
            let mut config = app::load_config(&storage)?;
            config.listen = listen;
            if public_url.is_some() {
                config.public_url = public_url;
            }
            if smtp_url.is_some() {
                config.smtp_url = smtp_url;
            }
            if let Some(f) = mail_from {
                config.mail_from = f;
            }
            if no_demo {
                config.demo = false;
            }
            if let Some(m) = mqtt_listen {
                config.telemetry.insert("mqtt_listen".into(), toml::Value::String(m));
            }
            app::serve(config).await?;
        }
        Command::Migrate { storage } => {
            let ctx = app::open(app::load_config(&storage)?).await?;
            println!("migrations applied; database ready ({:?})", ctx.db.backend());
        }
        Command::User { command: UserCommand::Add { storage, email, role, department, password_stdin } } => {
            let role = Role::from_code(&role).filter(|r| r.is_privileged()).ok_or_else(|| anyhow::anyhow!("--role must be staff, dto or admin"))?;
            let ctx = app::open(app::load_config(&storage)?).await?;
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_line(&mut s)?;
                (s.trim_end_matches(['\n', '\r']).to_string(), false)
            } else {
                (kernel::crypto::random_token(15), true)
            };
            let (id, created) = identity::service::add_user_cli(&ctx, &email, &password, role, department.as_deref(), generated)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {:?}", e.code, e.fields))?;
            println!("account {id} has role {}", role.code());
            if !created {
                println!("the account existed already: its password is unchanged");
            } else if generated {
                println!("one-time password (must be changed at first sign-in): {password}");
            }
            println!("2FA (TOTP) must be set up at /account/2fa before any staff page opens.");
        }
        Command::User { command: UserCommand::ForcePasswordChange { storage, email } } => {
            let ctx = app::open(app::load_config(&storage)?).await?;
            let norm = email.trim().to_lowercase();
            let account =
                identity::store::account_by_email(ctx.db.conn(), &ctx.keys, &norm).await?.ok_or_else(|| anyhow::anyhow!("no such account"))?;
            identity::service::force_password_change(&ctx, "cli", &account.id).await.map_err(|e| anyhow::anyhow!(e.code))?;
            println!("account {} must change its password at next sign-in", account.id);
        }
        Command::Audit { command: AuditCommand::Verify { storage } } => {
            let ctx = app::open(app::load_config(&storage)?).await?;
            match kernel::audit::verify(ctx.db.conn(), &ctx.keys, kernel::audit::read_anchor(&ctx.config.audit_anchor_file()).as_ref()).await? {
                kernel::audit::VerifyOutcome::Intact(n) => {
                    println!("audit log intact: {n} entries")
                }
                kernel::audit::VerifyOutcome::Broken { seq, reason } => {
                    println!("audit log BROKEN at entry {seq}: {reason}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::Token { command: TokenCommand::Issue { storage, name, scopes, days } } => {
            let ctx = app::open(app::load_config(&storage)?).await?;
            let (token, secret) = identity::service::issue_api_token(&ctx, "cli", &name, &scopes, Some(days))
                .await
                .map_err(|e| anyhow::anyhow!("{e}: {:?}", e.fields))?;
            eprintln!("token {} issued ({}), valid for {days} days:", token.id, token.scopes.join(" "));
            println!("{secret}");
        }
        Command::Simulate(args) => {
            simulate::run(args).await?;
        }
        Command::Keys { command: KeysCommand::Rotate { storage } } => {
            let config = app::load_config(&storage)?;
            let n = app::rotate_keys(&config).await?;
            println!("new data key active; {n} fields re-encrypted");
        }
        Command::Backup { storage, to, passphrase_env } => {
            let config = app::load_config(&storage)?;
            let passphrase = passphrase_env.map(|v| std::env::var(&v)).transpose().map_err(|_| anyhow::anyhow!("passphrase variable not set"))?;
            let info = backup::backup(&config, &to, passphrase.as_deref()).await?;
            println!("{info}");
        }
        Command::Pb { command } => return pb_cli::run(command),
        Command::Route { command } => return route_cli::run(command),
        Command::Restore { from, data_dir, passphrase_env } => {
            let passphrase = passphrase_env.map(|v| std::env::var(&v)).transpose().map_err(|_| anyhow::anyhow!("passphrase variable not set"))?;
            let info = backup::restore(&from, &data_dir, passphrase.as_deref()).await?;
            println!("{info}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// argon2id takes 19 MiB per hash. glibc raises its mmap threshold after the
/// first such block is freed and then serves them from per-thread heaps that
/// fragment and never shrink (400 MiB resident under a login burst). A fixed
/// threshold keeps large blocks in mmap, returned to the system when freed.
fn limit_heap_growth() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called once at start-up, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}
