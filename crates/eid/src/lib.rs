//! National eID sign-in (SI-PASS) as a SAML 2.0 service provider.

pub mod xml;
