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
            match handle(stream) {
                Ok(line) => println!("team chat ▸ {line}"),
                Err(error) => eprintln!("xtask: demo inbox: {error}"),
            }
        }
    });
    Ok(Inbox {
        chat_url: format!("http://{address}/chat"),
    })
}

/// Answers one request and returns the chat line it carried.
fn handle(mut stream: TcpStream) -> std::io::Result<String> {
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
    Ok(text.unwrap_or_else(|| "(a message without text)".to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_a_chat_post_and_reads_its_line() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let body = r#"{"text":"[P1] TW-000001 · Painel fora do ar · first response by 12:30 (in 30 min)","blocks":[]}"#;
        let client = std::thread::spawn(move || {
            let mut stream = TcpStream::connect(address).unwrap();
            write!(
                stream,
                "POST /chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        });
        let (stream, _) = listener.accept().unwrap();
        let line = handle(stream).unwrap();
        assert_eq!(
            line,
            "[P1] TW-000001 · Painel fora do ar · first response by 12:30 (in 30 min)"
        );
        assert!(client.join().unwrap().starts_with("HTTP/1.1 200 OK"));
    }

    #[test]
    fn the_demo_config_sends_every_event_to_the_inbox() {
        let inbox = Inbox {
            chat_url: "http://127.0.0.1:9/chat".into(),
        };
        let text = config(&inbox, 8080);
        assert!(text.contains("url = \"http://127.0.0.1:9/chat\""));
        assert!(text.contains("ticket_url = \"http://127.0.0.1:8080/api/tickets/{reference}\""));
        for event in ["ticket.created", "ticket.escalation_requested", "ticket.due_soon", "ticket.escalated", "ticket.updated"] {
            assert!(text.contains(event), "{event}");
        }
        assert!(!config(&inbox, 0).contains("ticket_url"));
    }
}
