ALTER TABLE saml_requests ADD COLUMN nonce_hash TEXT;
ALTER TABLE saml_requests ADD COLUMN handle_hash TEXT;
ALTER TABLE saml_requests ADD COLUMN result_enc TEXT;
