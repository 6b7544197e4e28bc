//! MQTT (placeholder until the broker lands).
