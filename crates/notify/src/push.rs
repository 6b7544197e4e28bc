//! Web push: the message encryption of RFC 8291 (aes128gcm, RFC 8188) and the
//! VAPID identification of RFC 8292, with ring (already in the build through
//! rustls). The VAPID key is made once and kept sealed in the database, so
//! every process signs with the same key and browsers keep their subscriptions.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use ring::{aead, agreement, hkdf};

/// Base64url as browsers write subscription keys: padding optional, and
/// the unused bits of the last character not checked.
pub const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Record size written in the header; one record holds any message we send.
const RECORD_SIZE: u32 = 4096;
/// Largest plaintext a push service must accept (RFC 8030 §7.2: 4096 bytes of body).
pub const MAX_PAYLOAD: usize = 3993;

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf_expand(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Vec<u8> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
    let mut out = vec![0u8; len];
    prk.expand(&[info], Len(len)).and_then(|okm| okm.fill(&mut out)).expect("HKDF output length is valid");
    out
}

/// The content-encryption key and nonce of RFC 8291 §3.4 from the ECDH secret.
pub fn derive(ecdh_secret: &[u8], auth_secret: &[u8], ua_public: &[u8], as_public: &[u8], salt: &[u8]) -> ([u8; 16], [u8; 12]) {
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(as_public);
    let ikm = hkdf_expand(auth_secret, ecdh_secret, &key_info, 32);
    let cek = hkdf_expand(salt, &ikm, b"Content-Encoding: aes128gcm\0", 16);
    let nonce = hkdf_expand(salt, &ikm, b"Content-Encoding: nonce\0", 12);
    (cek.try_into().expect("16 bytes"), nonce.try_into().expect("12 bytes"))
}

/// The request body: header (salt, record size, sender key) and the one record.
pub fn body(salt: &[u8; 16], as_public: &[u8], cek: &[u8; 16], nonce: &[u8; 12], plaintext: &[u8]) -> Vec<u8> {
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, cek).expect("16-byte key"));
    let mut record = plaintext.to_vec();
    record.push(2); // the last (and only) record's delimiter
    key.seal_in_place_append_tag(aead::Nonce::assume_unique_for_key(*nonce), aead::Aad::empty(), &mut record).expect("record fits");
    let mut out = Vec::with_capacity(16 + 4 + 1 + as_public.len() + record.len());
    out.extend_from_slice(salt);
    out.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    out.push(as_public.len() as u8);
    out.extend_from_slice(as_public);
    out.extend_from_slice(&record);
    out
}

#[derive(Debug, PartialEq, Eq)]
pub enum PushError {
    /// The subscription's keys are not a P-256 point and a 16-byte secret.
    BadSubscription,
    TooLong,
}

/// Encrypt `plaintext` for a browser's subscription keys (`p256dh`, `auth`, base64url).
pub fn encrypt(p256dh: &str, auth: &str, plaintext: &[u8]) -> Result<Vec<u8>, PushError> {
    if plaintext.len() > MAX_PAYLOAD {
        return Err(PushError::TooLong);
    }
    let ua_public = B64.decode(p256dh).map_err(|_| PushError::BadSubscription)?;
    let auth = B64.decode(auth).map_err(|_| PushError::BadSubscription)?;
    if ua_public.len() != 65 || auth.len() != 16 {
        return Err(PushError::BadSubscription);
    }
    let rng = SystemRandom::new();
    let mine = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).map_err(|_| PushError::BadSubscription)?;
    let as_public = mine.compute_public_key().map_err(|_| PushError::BadSubscription)?.as_ref().to_vec();
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| PushError::BadSubscription)?;
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &ua_public);
    let (cek, nonce) = agreement::agree_ephemeral(mine, &peer, |secret| derive(secret, &auth, &ua_public, &as_public, &salt))
        .map_err(|_| PushError::BadSubscription)?;
    Ok(body(&salt, &as_public, &cek, &nonce, plaintext))
}

/// The platform's VAPID signing key.
pub struct Vapid {
    pair: EcdsaKeyPair,
}

impl Vapid {
    /// A new key as PKCS#8, to be stored.
    pub fn generate() -> Vec<u8> {
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).expect("system random").as_ref().to_vec()
    }

    pub fn from_pkcs8(der: &[u8]) -> Option<Vapid> {
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &SystemRandom::new()).ok().map(|pair| Vapid { pair })
    }

    /// The public key as browsers want it for `applicationServerKey`.
    pub fn public_key(&self) -> String {
        B64.encode(self.pair.public_key().as_ref())
    }

    /// `Authorization` header for a push service at `endpoint`.
    pub fn authorization(&self, endpoint: &str, contact: &str, now_secs: i64) -> Option<String> {
        let url = reqwest::Url::parse(endpoint).ok()?;
        let audience = url.origin().ascii_serialization();
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        // 12 hours: well inside the 24 hours RFC 8292 allows.
        let claims = B64.encode(serde_json::json!({"aud": audience, "exp": now_secs + 12 * 3600, "sub": contact}).to_string());
        let signing_input = format!("{header}.{claims}");
        let sig = self.pair.sign(&SystemRandom::new(), signing_input.as_bytes()).ok()?;
        Some(format!("vapid t={signing_input}.{}, k={}", B64.encode(sig.as_ref()), self.public_key()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        B64.decode(s).unwrap()
    }

    /// RFC 8291 Appendix A, from the ECDH secret on (ring cannot import the
    /// fixed private keys, so the agreement itself is covered by the round trip below).
    #[test]
    fn the_example_of_rfc_8291() {
        let ua_public = unhex("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
        let as_public = unhex("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8");
        let auth = unhex("BTBZMqHH6r4Tts7J_aSIgg");
        let salt: [u8; 16] = unhex("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let ecdh = unhex("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs");
        let (cek, nonce) = derive(&ecdh, &auth, &ua_public, &as_public, &salt);
        assert_eq!(B64.encode(cek), "oIhVW04MRdy2XN9CiKLxTg");
        assert_eq!(B64.encode(nonce), "4h_95klXJ5E_qnoN");
        let out = body(&salt, &as_public, &cek, &nonce, b"When I grow up, I want to be a watermelon");
        assert_eq!(
            B64.encode(out),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn bad_subscriptions_and_long_messages_are_refused() {
        assert_eq!(encrypt("abc", "def", b"x"), Err(PushError::BadSubscription));
        let ua = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &SystemRandom::new()).unwrap();
        let p256dh = B64.encode(ua.compute_public_key().unwrap().as_ref());
        let auth = B64.encode([7u8; 16]);
        assert_eq!(encrypt(&p256dh, &auth, &vec![b'a'; MAX_PAYLOAD + 1]), Err(PushError::TooLong));
        let sealed = encrypt(&p256dh, &auth, b"hello").unwrap();
        assert_eq!(&sealed[16..20], &4096u32.to_be_bytes());
        assert_eq!(sealed[20], 65);
        assert_eq!(sealed.len(), 16 + 4 + 1 + 65 + 5 + 1 + 16);
    }

    #[test]
    fn vapid_tokens_are_es256_for_the_endpoint_origin() {
        let v = Vapid::from_pkcs8(&Vapid::generate()).unwrap();
        let auth = v.authorization("https://push.example.net/wpush/v2/abc?x=1", "mailto:it@ptuj.si", 1_700_000_000).unwrap();
        let (t, k) = auth.strip_prefix("vapid t=").unwrap().split_once(", k=").unwrap();
        assert_eq!(k, v.public_key());
        let parts: Vec<&str> = t.split('.').collect();
        let claims: serde_json::Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example.net");
        assert_eq!(claims["exp"], 1_700_000_000 + 43_200);
        let public = ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, B64.decode(k).unwrap());
        public.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &B64.decode(parts[2]).unwrap()).unwrap();
    }
}
