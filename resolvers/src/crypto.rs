//! Encryption at rest for upstream credentials: ChaCha20-Poly1305 with a random nonce per value,
//! stored as base64(nonce || ciphertext). The key never leaves this module's owner.

use base64::{Engine, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng},
};
use sha2::{Digest, Sha256};

pub struct SecretBox {
    cipher: ChaCha20Poly1305,
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("stored credentials could not be decrypted (wrong encryption key?)")]
    Decrypt,
}

impl SecretBox {
    /// Derives the 256-bit key from a secret of any length, with a label so the same secret used
    /// elsewhere (the JWT signing secret) never yields the same key.
    pub fn from_secret(secret: &[u8]) -> SecretBox {
        let mut h = Sha256::new();
        h.update(b"hostplane credentials v1\0");
        h.update(secret);
        let key = h.finalize();
        SecretBox {
            cipher: ChaCha20Poly1305::new(&key),
        }
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct = self
            .cipher
            .encrypt(&nonce, plaintext)
            .expect("ChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        STANDARD.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, CryptoError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| CryptoError::Decrypt)?;
        if bytes.len() < 12 {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, ct) = bytes.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| CryptoError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sealed values open with the same key, differ each time, and fail with another key.
    #[test]
    fn seal_and_open() {
        let b = SecretBox::from_secret(b"k1");
        let a1 = b.seal(b"token");
        let a2 = b.seal(b"token");
        assert_ne!(a1, a2);
        assert!(!a1.contains("token"));
        assert_eq!(b.open(&a1).unwrap(), b"token");
        assert!(SecretBox::from_secret(b"k2").open(&a1).is_err());
    }
}
