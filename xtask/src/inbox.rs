//! The demo's team inbox: a tiny HTTP server that takes the receiver's Slack-style chat
//! notifications and prints the line the support team would read, so `cargo xtask demo` shows
//! notifications without any outside service.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use crate::error::{Error, Result};

/// Largest notification body read (the receiver's are a few KB).
const MAX_BODY: usize = 1024 * 1024;

/// A running inbox: its chat URL.
pub struct Inbox {
    pub chat_url: String,
}

/// Binds a free local port and serves in a background thread for the life of the process.
pub fn start() -> Result<Inbox> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| Error::new(format!("demo inbox: cannot bind: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::new(format!("demo inbox: no address: {e}")))?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if let Err(error) = handle(stream) {
                eprintln!("xtask: demo inbox: {error}");
            }
        }
    });
    Ok(Inbox {
        chat_url: format!("http://{address}/chat"),
    })
}

fn handle(mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length.min(MAX_BODY)];
    reader.read_exact(&mut body)?;
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")?;
    let text = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|message| message["text"].as_str().map(str::to_string));
    match text {
        Some(text) => println!("team chat ▸ {text}"),
        None => println!("team chat ▸ (a message without text)"),
    }
    Ok(())
}

/// The demo's notification file: every event to the inbox's chat route, due times in São Paulo.
pub fn config(inbox: &Inbox, port: u16) -> String {
    // With port 0 the receiver's address is not known yet: no link then.
    let ticket_url = match port {
        0 => String::new(),
        port => format!("ticket_url = \"http://127.0.0.1:{port}/api/tickets/{{reference}}\"\n"),
    };
    format!(
        "# Written by `cargo xtask demo`: notifications go to the demo's own inbox (printed in the terminal).\n\
         {ticket_url}\
         time_zone = \"America/Sao_Paulo\"\n\n\
         [[chat]]\n\
         name = \"team-chat\"\n\
         url = \"{}\"\n\
         events = [\"ticket.created\", \"ticket.escalation_requested\", \"ticket.due_soon\", \"ticket.escalated\", \"ticket.updated\"]\n\
         include_spam = true\n",
        inbox.chat_url
    )
}
