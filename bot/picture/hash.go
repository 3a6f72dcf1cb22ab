package picture

import (
	"crypto/sha256"
	"encoding/hex"
)

// ContentHash returns the SHA-256 of a picture's bytes in hex: a cache key,
// since the same input always renders to the same bytes.
func ContentHash(png []byte) string {
	sum := sha256.Sum256(png)
	return hex.EncodeToString(sum[:])
}
