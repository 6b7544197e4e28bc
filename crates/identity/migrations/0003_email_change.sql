ALTER TABLE email_tokens ADD COLUMN payload_enc TEXT;
