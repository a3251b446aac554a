//! A TCP link between two servers that can be stalled without being closed: bytes stop flowing
//! both ways, the connections stay open. Replication through it shows what a replica sees when
//! the network to its primary hangs (its I/O thread still says `Yes` until `slave_net_timeout`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};

/// Forwards every connection made to [`Link::port`] to `127.0.0.1:<target>`.
pub struct Link {
    port: u16,
    stalled: Arc<(Mutex<bool>, Condvar)>,
}

impl Link {
    pub fn to(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stalled = Arc::new((Mutex::new(false), Condvar::new()));
        let gate = stalled.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                for (from, to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let gate = gate.clone();
                    std::thread::spawn(move || forward(from, to, &gate));
                }
            }
        });
        Self { port, stalled }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Holds every byte read from here on until [`Link::resume`].
    pub fn stall(&self) {
        *self.stalled.0.lock().unwrap() = true;
    }

    pub fn resume(&self) {
        *self.stalled.0.lock().unwrap() = false;
        self.stalled.1.notify_all();
    }
}

fn forward(mut from: TcpStream, mut to: TcpStream, gate: &(Mutex<bool>, Condvar)) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let stalled = gate.0.lock().unwrap();
        drop(gate.1.wait_while(stalled, |s| *s).unwrap());
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}
