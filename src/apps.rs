//! `portal apps`: list sandbox apps and their subscriptions, approve or reject subscriptions to
//! plans that need approval, delete apps. Works on the same store as `portal mock` (the SQLite
//! database under `--data`, or a shared Redis with `--store`); a running sandbox sees the change
//! within a quarter of a second.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use mock_server::apps::{AppRecord, StoreConfig, SubscriptionStatus, store::Store};

/// Arguments of `portal apps`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of the sandbox database (`sandbox.db`).
    #[arg(long, value_name = "DIR", default_value = ".portal", global = true)]
    data: PathBuf,
    /// Use a shared Redis store instead of the database (`redis://HOST:PORT`).
    #[arg(long, value_name = "URL", global = true)]
    store: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// List apps with their subscriptions.
    List {
        /// Only apps with a subscription in this status (active, pending, rejected).
        #[arg(long, value_parser = ["active", "pending", "rejected"])]
        status: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Approve a subscription (by its id, `sub_...`).
    Approve {
        /// Subscription id.
        id: String,
    },
    /// Reject a subscription (by its id, `sub_...`).
    Reject {
        /// Subscription id.
        id: String,
    },
    /// Delete an app with its subscriptions, tokens and usage.
    Delete {
        /// The app's client ID.
        client_id: String,
    },
}

/// Run the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: Args) -> anyhow::Result<ExitCode> {
    let config = StoreConfig::from_args(&args.data, args.store.as_deref())?;
    if let StoreConfig::Sqlite { data_dir } = &config {
        let db = data_dir.join("sandbox.db");
        if !db.is_file() {
            if let Command::List { json, .. } = &args.command {
                if *json {
                    println!("[]");
                } else {
                    println!("No apps (no sandbox database at {}).", db.display());
                }
                return Ok(ExitCode::SUCCESS);
            }
            anyhow::bail!(
                "no sandbox database at {} (run `portal mock` first, or pass --data DIR)",
                db.display()
            );
        }
    }
    let store = Store::open(&config)
        .await
        .with_context(|| format!("opening the sandbox store ({})", describe(&config)))?;
    match args.command {
        Command::List { status, json } => {
            let wanted = status.as_deref().and_then(SubscriptionStatus::parse);
            let apps: Vec<_> = store
                .list_apps()
                .await?
                .into_iter()
                .filter(|a| wanted.is_none_or(|w| a.subscriptions.iter().any(|s| s.status == w)))
                .collect();
            if json {
                let value: Vec<serde_json::Value> = apps.iter().map(|a| app_json(a)).collect();
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                print!("{}", table(&apps));
            }
        }
        Command::Approve { id } => set_status(&store, &id, SubscriptionStatus::Active).await?,
        Command::Reject { id } => set_status(&store, &id, SubscriptionStatus::Rejected).await?,
        Command::Delete { client_id } => {
            if !store.delete_app(&client_id).await? {
                anyhow::bail!("no app with client ID {client_id}");
            }
            println!("Deleted app {client_id}.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(config: &StoreConfig) -> String {
    match config {
        StoreConfig::Sqlite { data_dir } => data_dir.join("sandbox.db").display().to_string(),
        StoreConfig::Redis { url, .. } => url.split('@').next_back().unwrap_or(url).to_string(),
    }
}

async fn set_status(store: &Store, id: &str, status: SubscriptionStatus) -> anyhow::Result<()> {
    match store.set_subscription_status(id, status).await? {
        Some(sub) => {
            let verb = match status {
                SubscriptionStatus::Active => "Approved",
                _ => "Rejected",
            };
            println!(
                "{verb} subscription {} of app {} to {}.",
                sub.id, sub.client_id, sub.plan
            );
            Ok(())
        }
        None => anyhow::bail!("no subscription {id} (see `portal apps list`)"),
    }
}

fn app_json(app: &AppRecord) -> serde_json::Value {
    serde_json::json!({
        "client_id": app.client_id,
        "name": app.name,
        "description": app.description,
        "created_at": app.created_at,
        "subscriptions": app.subscriptions.iter().map(|s| serde_json::json!({
            "id": s.id, "plan": s.plan, "status": s.status.as_str(),
        })).collect::<Vec<_>>(),
    })
}

/// The apps as a plain-text table, one line per subscription. Pure.
fn table(apps: &[std::sync::Arc<AppRecord>]) -> String {
    if apps.is_empty() {
        return "No apps.\n".to_string();
    }
    let mut rows = vec![[
        "CLIENT ID".to_string(),
        "NAME".to_string(),
        "CREATED".to_string(),
        "SUBSCRIPTION".to_string(),
        "PLAN".to_string(),
        "STATUS".to_string(),
    ]];
    for app in apps {
        let base = [
            app.client_id.clone(),
            app.name.clone(),
            app.created_at.clone(),
        ];
        if app.subscriptions.is_empty() {
            rows.push([
                base[0].clone(),
                base[1].clone(),
                base[2].clone(),
                "-".into(),
                "-".into(),
                "-".into(),
            ]);
        }
        for s in &app.subscriptions {
            rows.push([
                base[0].clone(),
                base[1].clone(),
                base[2].clone(),
                s.id.clone(),
                s.plan.clone(),
                s.status.as_str().to_string(),
            ]);
        }
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
