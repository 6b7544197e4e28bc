//! MQTT 3.1.1 and 5 packets, reduced to what the broker acts on. The wire
//! format comes from rumqttc's packet codecs; this module only maps both
//! versions onto one small vocabulary.

use bytes::{Bytes, BytesMut};
use rumqttc::mqttbytes::v4;
use rumqttc::v5::mqttbytes::v5;

/// Largest packet accepted (a batch of readings fits easily).
pub const MAX_PACKET: usize = 1024 * 1024;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Version {
    V311,
    V5,
}

#[derive(Debug, PartialEq)]
pub struct Connect {
    pub version: Version,
    pub client_id: String,
    pub keep_alive: u16,
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, PartialEq)]
pub enum In {
    Publish {
        topic: String,
        qos: u8,
        pkid: u16,
        payload: Bytes,
    },
    PubAck {
        pkid: u16,
    },
    PubRel {
        pkid: u16,
    },
    Subscribe {
        pkid: u16,
        filters: Vec<(String, u8)>,
    },
    Unsubscribe {
        pkid: u16,
        filters: Vec<String>,
    },
    PingReq,
    Disconnect,
    /// Packets a client has no reason to send us (CONNACK, a second CONNECT, AUTH …).
    Unexpected,
}

/// Why a PUBLISH or SUBSCRIBE was refused, for MQTT 5 reason codes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotAuthorized,
    PayloadFormatInvalid,
    TopicInvalid,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    ConnAck { ok: bool, bad_credentials: bool },
    PubAck { pkid: u16, refused: Option<Refusal> },
    PubRec { pkid: u16, refused: Option<Refusal> },
    PubComp { pkid: u16 },
    SubAck { pkid: u16, granted: Vec<Option<u8>> },
    UnsubAck { pkid: u16, n: usize },
    PingResp,
    Publish { topic: String, qos: u8, pkid: u16, payload: Bytes },
}

#[derive(Debug)]
pub enum DecodeError {
    /// Need more bytes.
    Incomplete,
    Malformed(String),
}

/// The protocol level of a CONNECT at the head of `buf`, if complete enough.
fn connect_level(buf: &[u8]) -> Result<u8, DecodeError> {
    if buf.is_empty() {
        return Err(DecodeError::Incomplete);
    }
    if buf[0] >> 4 != 1 {
        return Err(DecodeError::Malformed("the first packet must be CONNECT".into()));
    }
    // Remaining length: 1–4 bytes, then protocol name (2 + 4) and level.
    let mut i = 1;
    while i < buf.len() && i <= 4 && buf[i] & 0x80 != 0 {
        i += 1;
    }
    let at = i + 1 + 6;
    if at >= buf.len() {
        return Err(DecodeError::Incomplete);
    }
    Ok(buf[at])
}

fn qos4(q: u8) -> rumqttc::mqttbytes::QoS {
    match q {
        0 => rumqttc::mqttbytes::QoS::AtMostOnce,
        1 => rumqttc::mqttbytes::QoS::AtLeastOnce,
        _ => rumqttc::mqttbytes::QoS::ExactlyOnce,
    }
}

fn qos5(q: u8) -> rumqttc::v5::mqttbytes::QoS {
    match q {
        0 => rumqttc::v5::mqttbytes::QoS::AtMostOnce,
        1 => rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
        _ => rumqttc::v5::mqttbytes::QoS::ExactlyOnce,
    }
}

/// Decode the CONNECT that opens a connection.
pub fn read_connect(buf: &mut BytesMut) -> Result<Connect, DecodeError> {
    match connect_level(buf)? {
        3 | 4 => match v4::Packet::read(buf, MAX_PACKET) {
            Ok(v4::Packet::Connect(c)) => Ok(Connect {
                version: Version::V311,
                client_id: c.client_id,
                keep_alive: c.keep_alive,
                username: c.login.as_ref().map(|l| l.username.clone()),
                password: c.login.map(|l| l.password),
            }),
            Ok(_) => Err(DecodeError::Malformed("the first packet must be CONNECT".into())),
            Err(rumqttc::mqttbytes::Error::InsufficientBytes(_)) => Err(DecodeError::Incomplete),
            Err(e) => Err(DecodeError::Malformed(format!("{e:?}"))),
        },
        5 => match v5::Packet::read(buf, Some(MAX_PACKET as u32)) {
            Ok(v5::Packet::Connect(c, _, login)) => Ok(Connect {
                version: Version::V5,
                client_id: c.client_id,
                keep_alive: c.keep_alive,
                username: login.as_ref().map(|l| l.username.clone()),
                password: login.map(|l| l.password),
            }),
            Ok(_) => Err(DecodeError::Malformed("the first packet must be CONNECT".into())),
            Err(rumqttc::v5::mqttbytes::Error::InsufficientBytes(_)) => Err(DecodeError::Incomplete),
            Err(e) => Err(DecodeError::Malformed(format!("{e:?}"))),
        },
        other => Err(DecodeError::Malformed(format!("unsupported protocol level {other}"))),
    }
}

/// Decode the next packet after CONNECT.
pub fn read(version: Version, buf: &mut BytesMut) -> Result<In, DecodeError> {
    match version {
        Version::V311 => match v4::Packet::read(buf, MAX_PACKET) {
            Ok(p) => Ok(match p {
                v4::Packet::Publish(p) => In::Publish { topic: p.topic, qos: p.qos as u8, pkid: p.pkid, payload: p.payload },
                v4::Packet::PubAck(a) => In::PubAck { pkid: a.pkid },
                v4::Packet::PubRel(r) => In::PubRel { pkid: r.pkid },
                v4::Packet::Subscribe(s) => In::Subscribe { pkid: s.pkid, filters: s.filters.into_iter().map(|f| (f.path, f.qos as u8)).collect() },
                v4::Packet::Unsubscribe(u) => In::Unsubscribe { pkid: u.pkid, filters: u.topics },
                v4::Packet::PingReq => In::PingReq,
                v4::Packet::Disconnect => In::Disconnect,
                _ => In::Unexpected,
            }),
            Err(rumqttc::mqttbytes::Error::InsufficientBytes(_)) => Err(DecodeError::Incomplete),
            Err(e) => Err(DecodeError::Malformed(format!("{e:?}"))),
        },
        Version::V5 => match v5::Packet::read(buf, Some(MAX_PACKET as u32)) {
            Ok(p) => Ok(match p {
                v5::Packet::Publish(p) => In::Publish {
                    topic: String::from_utf8(p.topic.to_vec()).map_err(|_| DecodeError::Malformed("topic is not UTF-8".into()))?,
                    qos: p.qos as u8,
                    pkid: p.pkid,
                    payload: p.payload,
                },
                v5::Packet::PubAck(a) => In::PubAck { pkid: a.pkid },
                v5::Packet::PubRel(r) => In::PubRel { pkid: r.pkid },
                v5::Packet::Subscribe(s) => In::Subscribe { pkid: s.pkid, filters: s.filters.into_iter().map(|f| (f.path, f.qos as u8)).collect() },
                v5::Packet::Unsubscribe(u) => In::Unsubscribe { pkid: u.pkid, filters: u.filters },
                v5::Packet::PingReq(_) => In::PingReq,
                v5::Packet::Disconnect(_) => In::Disconnect,
                _ => In::Unexpected,
            }),
            Err(rumqttc::v5::mqttbytes::Error::InsufficientBytes(_)) => Err(DecodeError::Incomplete),
            Err(e) => Err(DecodeError::Malformed(format!("{e:?}"))),
        },
    }
}

/// Encode a packet for the client.
pub fn write(version: Version, p: &Out, buf: &mut BytesMut) -> Result<(), String> {
    match version {
        Version::V311 => {
            use rumqttc::mqttbytes::v4::ConnectReturnCode as C;
            let packet = match p {
                Out::ConnAck { ok: true, .. } => v4::Packet::ConnAck(v4::ConnAck::new(C::Success, false)),
                Out::ConnAck { bad_credentials: true, .. } => v4::Packet::ConnAck(v4::ConnAck::new(C::BadUserNamePassword, false)),
                Out::ConnAck { .. } => v4::Packet::ConnAck(v4::ConnAck::new(C::NotAuthorized, false)),
                // 3.1.1 has no reason codes: a refused reading is still acknowledged (it was counted).
                Out::PubAck { pkid, .. } => v4::Packet::PubAck(v4::PubAck::new(*pkid)),
                Out::PubRec { pkid, .. } => v4::Packet::PubRec(v4::PubRec::new(*pkid)),
                Out::PubComp { pkid } => v4::Packet::PubComp(v4::PubComp::new(*pkid)),
                Out::SubAck { pkid, granted } => v4::Packet::SubAck(v4::SubAck::new(
                    *pkid,
                    granted
                        .iter()
                        .map(|g| g.map(|q| v4::SubscribeReasonCode::Success(qos4(q))).unwrap_or(v4::SubscribeReasonCode::Failure))
                        .collect(),
                )),
                Out::UnsubAck { pkid, .. } => v4::Packet::UnsubAck(v4::UnsubAck::new(*pkid)),
                Out::PingResp => v4::Packet::PingResp,
                Out::Publish { topic, qos, pkid, payload } => {
                    let mut p = v4::Publish::from_bytes(topic.clone(), qos4(*qos), payload.clone());
                    p.pkid = *pkid;
                    v4::Packet::Publish(p)
                }
            };
            packet.write(buf, MAX_PACKET).map(|_| ()).map_err(|e| format!("{e:?}"))
        }
        Version::V5 => {
            use rumqttc::v5::mqttbytes::v5::ConnectReturnCode as C;
            let packet = match p {
                Out::ConnAck { ok, bad_credentials } => v5::Packet::ConnAck(v5::ConnAck {
                    session_present: false,
                    code: if *ok {
                        C::Success
                    } else if *bad_credentials {
                        C::BadUserNamePassword
                    } else {
                        C::NotAuthorized
                    },
                    properties: None,
                }),
                Out::PubAck { pkid, refused } => v5::Packet::PubAck(v5::PubAck {
                    pkid: *pkid,
                    reason: match refused {
                        None => v5::PubAckReason::Success,
                        Some(Refusal::NotAuthorized) => v5::PubAckReason::NotAuthorized,
                        Some(Refusal::PayloadFormatInvalid) => v5::PubAckReason::PayloadFormatInvalid,
                        Some(Refusal::TopicInvalid) => v5::PubAckReason::TopicNameInvalid,
                    },
                    properties: None,
                }),
                Out::PubRec { pkid, refused } => v5::Packet::PubRec(v5::PubRec {
                    pkid: *pkid,
                    reason: match refused {
                        None => v5::PubRecReason::Success,
                        Some(Refusal::NotAuthorized) => v5::PubRecReason::NotAuthorized,
                        Some(Refusal::PayloadFormatInvalid) => v5::PubRecReason::PayloadFormatInvalid,
                        Some(Refusal::TopicInvalid) => v5::PubRecReason::TopicNameInvalid,
                    },
                    properties: None,
                }),
                Out::PubComp { pkid } => v5::Packet::PubComp(v5::PubComp { pkid: *pkid, reason: v5::PubCompReason::Success, properties: None }),
                Out::SubAck { pkid, granted } => v5::Packet::SubAck(v5::SubAck {
                    pkid: *pkid,
                    return_codes: granted
                        .iter()
                        .map(|g| g.map(|q| v5::SubscribeReasonCode::Success(qos5(q))).unwrap_or(v5::SubscribeReasonCode::NotAuthorized))
                        .collect(),
                    properties: None,
                }),
                Out::UnsubAck { pkid, n } => {
                    v5::Packet::UnsubAck(v5::UnsubAck { pkid: *pkid, reasons: vec![v5::UnsubAckReason::Success; *n], properties: None })
                }
                Out::PingResp => v5::Packet::PingResp(v5::PingResp),
                Out::Publish { topic, qos, pkid, payload } => {
                    let mut p = v5::Publish::new(topic.clone(), qos5(*qos), payload.clone(), None);
                    p.pkid = *pkid;
                    v5::Packet::Publish(p)
                }
            };
            packet.write(buf, Some(MAX_PACKET as u32)).map(|_| ()).map_err(|e| format!("{e:?}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_round_trip_through_the_client_codecs() {
        // A 3.1.1 CONNECT with a login, as a client writes it.
        let mut c = v4::Connect::new("dev-1");
        c.keep_alive = 30;
        c.set_login("lum-1", "secret");
        let mut buf = BytesMut::new();
        v4::Packet::Connect(c).write(&mut buf, MAX_PACKET).unwrap();
        let got = read_connect(&mut buf).unwrap();
        assert_eq!(
            got,
            Connect {
                version: Version::V311,
                client_id: "dev-1".into(),
                keep_alive: 30,
                username: Some("lum-1".into()),
                password: Some("secret".into())
            }
        );

        let c5 = v5::Connect { keep_alive: 10, client_id: "dev-5".into(), clean_start: true, properties: None };
        let login = v5::Login { username: "lum-5".into(), password: "pw".into() };
        let mut buf = BytesMut::new();
        v5::Packet::Connect(c5, None, Some(login)).write(&mut buf, None).unwrap();
        let got = read_connect(&mut buf).unwrap();
        assert_eq!((got.version, got.username.as_deref()), (Version::V5, Some("lum-5")));

        let mut out = BytesMut::new();
        write(Version::V5, &Out::PubAck { pkid: 7, refused: Some(Refusal::NotAuthorized) }, &mut out).unwrap();
        match v5::Packet::read(&mut out, None).unwrap() {
            v5::Packet::PubAck(a) => assert_eq!((a.pkid, a.reason), (7, v5::PubAckReason::NotAuthorized)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn partial_packets_wait_for_more_bytes() {
        let mut c = v4::Connect::new("dev-1");
        c.keep_alive = 30;
        c.set_login("lum-1", "secret");
        let mut full = BytesMut::new();
        v4::Packet::Connect(c).write(&mut full, MAX_PACKET).unwrap();
        for cut in [0, 1, 5, full.len() - 1] {
            let mut part = BytesMut::from(&full[..cut]);
            assert!(matches!(read_connect(&mut part), Err(DecodeError::Incomplete)), "cut at {cut}");
        }
        let mut junk = BytesMut::from(&[0x30u8, 0x02, 0x00, 0x00][..]);
        assert!(matches!(read_connect(&mut junk), Err(DecodeError::Malformed(_))));
    }
}
