//! `luoshi notify …`: try a channel as the county set it, and send what is due now.

use crate::*;
use clap::Subcommand;
use luoshi_app::notify::{deliver, Outgoing, Sender};
use luoshi_web::notify_send::Senders;

#[derive(Subcommand, Debug)]
pub(crate) enum NotifyCommand {
    /// Send a test message through a channel (sms, messenger, email) to one address, and print
    /// the provider's answer (exit status 1 if it failed).
    Test {
        /// `sms`, `messenger` or `email`.
        channel: String,
        /// A phone number, a messenger id or an email address.
        address: String,
    },
    /// Send the messages due in the outbox now (what the server's watch does every minute).
    Send,
}

pub(crate) async fn notify(url: &str, command: NotifyCommand) -> Result<(), Fail> {
    let db = prepare(url, 2).await?;
    let senders = Senders::load(&db).await?;
    match command {
        NotifyCommand::Test { channel, address } => {
            let Some(ch) = luoshi_domain::notify::Channel::parse(&channel) else {
                return Err(Fail(format!("unknown channel {channel:?}: sms, messenger or email")));
            };
            let now = luoshi_storage::now_micros();
            let m =
                Outgoing {
                    channel: ch, address: address.clone(), text: "【落实】测试消息：渠道配置有效。".into(), key: format!("test-{now}"), urgent: false
                };
            let shown = luoshi_domain::notify::mask_address(ch, &address);
            match senders.send(&m).await {
                Ok(answer) => {
                    println!("sent to {shown} by {channel}: {answer}");
                    Ok(())
                }
                Err(why) => Err(Fail(format!("not sent to {shown} by {channel}: {why}"))),
            }
        }
        NotifyCommand::Send => {
            let d = deliver(&db, &senders, luoshi_storage::now_micros()).await?;
            println!("notices: {} sent, {} to be tried again, {} failed", d.sent, d.retried, d.failed);
            Ok(())
        }
    }
}
