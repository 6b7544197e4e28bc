//! MQTT for devices: an embedded broker (on by default) or a subscription to
//! an external one. Both feed the same ingestion path as HTTP.
//!
//! Topic scheme (documented in docs/telemetry.md):
//! - `obcina/devices/{key}/readings`: a device sends readings, as the HTTP
//!   JSON batch (`device` may be left out) or as lines of the line format;
//! - `obcina/devices/{key}/commands`: the platform sends commands;
//! - `obcina/devices/{key}/commands/ack`: the device answers them.
//!
//! A device logs in with its key as user name and its token as password and
//! may use only its own topics. An integration token (`telemetry:write`) as
//! password may publish and subscribe for every device (gateways).

pub mod broker;
pub mod codec;
pub mod external;

use crate::model::Sender;

pub const PREFIX: &str = "obcina/devices/";

/// The device key and the rest of a topic under the scheme.
pub fn parse_topic(topic: &str) -> Option<(&str, &str)> {
    let rest = topic.strip_prefix(PREFIX)?;
    let (key, tail) = rest.split_once('/')?;
    (!key.is_empty() && crate::service::valid_key(key)).then_some((key, tail))
}

/// Whether this principal may publish to the topic.
pub fn may_publish(who: &Sender, topic: &str) -> bool {
    match (who, parse_topic(topic)) {
        (_, None) => false,
        (Sender::Integration, Some(_)) => true,
        (Sender::Device(own), Some((key, _))) => own == key,
    }
}

/// Whether this principal may subscribe to the filter.
pub fn may_subscribe(who: &Sender, filter: &str) -> bool {
    match who {
        Sender::Integration => filter.starts_with(PREFIX) || filter == "obcina/#",
        Sender::Device(own) => filter.strip_prefix(PREFIX).and_then(|r| r.strip_prefix(own.as_str())).is_some_and(|t| t.starts_with('/')),
    }
}

/// MQTT topic filter matching (`+` one level, `#` the rest).
pub fn matches(topic: &str, filter: &str) -> bool {
    let mut t = topic.split('/');
    for f in filter.split('/') {
        match (f, t.next()) {
            ("#", _) => return true,
            ("+", Some(_)) => {}
            (f, Some(level)) if f == level => {}
            _ => return false,
        }
    }
    t.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_use_only_their_own_topics() {
        let d = Sender::Device("lum-1".into());
        assert!(may_publish(&d, "obcina/devices/lum-1/readings"));
        assert!(!may_publish(&d, "obcina/devices/lum-2/readings"));
        assert!(!may_publish(&d, "other/topic"));
        assert!(may_subscribe(&d, "obcina/devices/lum-1/commands"));
        assert!(may_subscribe(&d, "obcina/devices/lum-1/#"));
        assert!(!may_subscribe(&d, "obcina/devices/lum-10/commands"), "a prefix of another key is not enough");
        assert!(!may_subscribe(&d, "obcina/devices/+/commands"));
        assert!(!may_subscribe(&d, "#"));
        assert!(may_subscribe(&Sender::Integration, "obcina/devices/+/commands"));
        assert!(!may_subscribe(&Sender::Integration, "$SYS/#"));
    }

    #[test]
    fn filters_match_as_the_standard_says() {
        assert!(matches("obcina/devices/a/readings", "obcina/devices/+/readings"));
        assert!(matches("obcina/devices/a/commands/ack", "obcina/devices/a/#"));
        assert!(!matches("obcina/devices/a/commands/ack", "obcina/devices/+/commands"));
        assert!(matches("obcina/devices/a", "obcina/devices/a/#"), "`#` includes the parent level");
        assert!(!matches("obcina/devices", "obcina/devices/+"));
    }

    #[test]
    fn topics_name_a_valid_key() {
        assert_eq!(parse_topic("obcina/devices/lum-1/readings"), Some(("lum-1", "readings")));
        assert_eq!(parse_topic("obcina/devices//readings"), None);
        assert_eq!(parse_topic("obcina/devices/lum-1"), None);
    }
}
